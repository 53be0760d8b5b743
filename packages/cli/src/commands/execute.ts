import { Option } from 'commander';
import type { CommandSetup } from '../engine-command.js';
import { collect, varFlags, type VarOptions } from '../var-options.js';

/** `weir execute -c task.yml [-i name=dir] [-o name=dir]`: one task on this host, without a server. */
export function registerExecute(setup: CommandSetup): void {
  // `-i` is an input here, as in fly; so the var options are declared without `-i`.
  setup.program
    .command('execute')
    .description('run one task file on this host, in its image when it has one, without a server, with its inputs from local directories')
    .requiredOption('-c, --config <file>', 'the task file')
    .addOption(new Option('-i, --input <name=dir>', 'a directory for an input (repeatable; a single input defaults to the current directory)').argParser(collect).default([]))
    .option('-m, --image <name>', 'use the directory of input NAME (given with -i, laid out as an image artifact: rootfs/ and metadata.json) as the task\'s image, instead of its image_resource')
    .addOption(new Option('-o, --output <name=dir>', 'copy an output into this directory after the task (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-v, --var <name=value>', 'set a var to a string (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-y, --yaml-var <name=yaml>', 'set a var to a YAML value (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-l, --load-vars-from <file>', 'load vars from a YAML file (repeatable)').argParser(collect).default([]))
    .option('--timeout <duration>', 'stop the task after this long, e.g. 10m')
    .option('--image-cache <dir>', 'where images are kept between runs (default: $XDG_CACHE_HOME/weir/images or ~/.cache/weir/images)')
    .action((options: Omit<VarOptions, 'instanceVar'> & { config: string; input: string[]; output: string[]; image?: string; timeout?: string; imageCache?: string }) =>
      setup.run(async () => {
        // The executor and the engine behind it are loaded only by this command.
        const { executeCommand } = await import('./run-execute.js');
        return executeCommand(
          {
            config: options.config,
            inputs: options.input,
            outputs: options.output,
            ...(options.image !== undefined && { image: options.image }),
            varFlags: await varFlags(options),
            ...(options.timeout !== undefined && { timeout: options.timeout }),
            ...(options.imageCache !== undefined && { imageCache: options.imageCache }),
          },
          setup.io,
        );
      }),
    );
}
