import { useEffect, useRef, useState } from 'preact/hooks';
import type { GraphLayout, LaidOutEdge, LaidOutNode } from './layout.js';

export interface NodeState {
  /** A build status (the running build's, else the latest finished one's), `paused`, `errored` for a failing check, or `none`. */
  status: string;
  running?: boolean;
  pinned?: boolean;
  paused?: boolean;
}

interface Props {
  layout: GraphLayout;
  states: Map<string, NodeState>;
  onOpen(node: LaidOutNode): void;
}

/** The laid-out pipeline as SVG: drag to pan, wheel to zoom, click a node to open it. */
export function GraphView({ layout, states, onOpen }: Props) {
  const [view, setView] = useState({ x: 0, y: 0, scale: 1 });
  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const box = useRef<SVGSVGElement>(null);

  useEffect(() => {
    // Fit wide graphs into the window at first, but never blow small ones up.
    const width = box.current?.clientWidth ?? 1000;
    const height = box.current?.clientHeight ?? 600;
    const scale = Math.min(1, width / Math.max(layout.width, 1), height / Math.max(layout.height, 1));
    setView({ x: 0, y: 0, scale: Math.max(scale, 0.05) });
  }, [layout]);

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const rect = box.current!.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    setView((current) => {
      const scale = Math.min(4, Math.max(0.05, current.scale * Math.exp(-event.deltaY * 0.0015)));
      const ratio = scale / current.scale;
      return { scale, x: px - (px - current.x) * ratio, y: py - (py - current.y) * ratio };
    });
  };
  const onPointerDown = (event: PointerEvent) => {
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
  };
  const onPointerMove = (event: PointerEvent) => {
    const start = drag.current;
    if (!start || event.buttons === 0) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!start.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    start.moved = true;
    drag.current = { x: event.clientX, y: event.clientY, moved: true };
    setView((current) => ({ ...current, x: current.x + dx, y: current.y + dy }));
  };
  const open = (node: LaidOutNode) => {
    if (!drag.current?.moved) onOpen(node);
  };

  return (
    <svg
      ref={box}
      class="graph"
      role="img"
      aria-label="pipeline graph"
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => setTimeout(() => (drag.current = undefined))}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M0,0 L8,4 L0,8 z" class="arrow-head" />
        </marker>
      </defs>
      <g transform={`translate(${view.x},${view.y}) scale(${view.scale})`}>
        {layout.edges.map((edge) => (
          <Edge key={`${edge.from}>${edge.to}`} edge={edge} />
        ))}
        {layout.nodes.map((node) => (
          <Node key={node.id} node={node} state={states.get(node.id)} onOpen={open} />
        ))}
      </g>
    </svg>
  );
}

function Edge({ edge }: { edge: LaidOutEdge }) {
  const d = edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
  return (
    <path d={d} class={`edge ${edge.kind === 'output' || edge.trigger ? 'trigger' : 'no-trigger'}`} marker-end="url(#arrow)">
      <title>{`${edge.resources.join(', ')}${edge.kind === 'output' ? ' (put)' : edge.trigger ? ' (triggers)' : ' (does not trigger)'}`}</title>
    </path>
  );
}

function Node({ node, state, onOpen }: { node: LaidOutNode; state: NodeState | undefined; onOpen(node: LaidOutNode): void }) {
  const classes = ['node', node.kind, `status-${state?.status ?? 'none'}`];
  if (state?.running) classes.push('running');
  if (state?.pinned) classes.push('pinned');
  if (state?.paused) classes.push('paused');
  return (
    <g
      class={classes.join(' ')}
      transform={`translate(${node.x},${node.y})`}
      data-node={node.id}
      tabIndex={0}
      role="link"
      onClick={() => onOpen(node)}
      onKeyDown={(event) => event.key === 'Enter' && onOpen(node)}
    >
      <rect width={node.width} height={node.height} rx={node.kind === 'resource' ? 14 : 3} />
      <text x={node.width / 2} y={node.height / 2 + 4} text-anchor="middle">
        {node.name}
      </text>
      {state?.pinned ? <circle class="pin-mark" cx={node.width - 6} cy={6} r={4} /> : null}
      <title>{`${node.kind} ${node.name}${state ? ` (${[state.status, state.pinned && 'pinned', state.paused && 'paused'].filter(Boolean).join(', ')})` : ''}`}</title>
    </g>
  );
}
