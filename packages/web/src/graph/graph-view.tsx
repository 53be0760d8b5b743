import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
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
  /** Changes when another graph is laid out (not when more of the same one arrives): the view is fitted again. */
  layoutKey: string;
  /** Whether every part of the graph is laid out. */
  complete: boolean;
  states: Map<string, NodeState>;
  /** A node to bring into the middle of the view and mark; the nonce repeats a search. */
  focus: { id: string; nonce: number } | undefined;
  onOpen(node: LaidOutNode): void;
}

/** The first view never shrinks a graph below this: names stay readable, the rest is a drag or a wheel away. */
const MIN_FIT_SCALE = 0.4;
/** Below this zoom names would be unreadable specks: nodes are drawn as boxes only. */
const TEXT_SCALE = 0.3;
/** Screen pixels drawn beyond each edge of the view, so a small drag shows nodes already there. */
const OVERDRAW = 200;

/**
 * The laid-out pipeline as SVG: drag to pan, wheel to zoom, click a node to open it. Only the
 * nodes and edges in view are in the page, so a pipeline of thousands of jobs costs what a
 * screenful of it costs.
 */
export function GraphView({ layout, layoutKey, complete, states, focus, onOpen }: Props) {
  const [view, setView] = useState({ x: 0, y: 0, scale: 1 });
  const [size, setSize] = useState({ width: 1000, height: 600 });
  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const box = useRef<SVGSVGElement>(null);
  const fitted = useRef<string | undefined>(undefined);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    // Fit the first part of a graph into the window, but never blow small ones up.
    if (fitted.current === layoutKey || layout.nodes.length === 0) return;
    fitted.current = layoutKey;
    const width = box.current?.clientWidth ?? 1000;
    const height = box.current?.clientHeight ?? 600;
    const scale = Math.min(1, width / Math.max(layout.width, 1), height / Math.max(layout.height, 1));
    setView({ x: 0, y: 0, scale: Math.max(scale, MIN_FIT_SCALE) });
  }, [layoutKey, layout]);

  useLayoutEffect(() => {
    const node = focus && layout.nodes.find((candidate) => candidate.id === focus.id);
    if (!node) return;
    const element = box.current;
    const width = element?.clientWidth ?? 1000;
    const height = element?.clientHeight ?? 600;
    setView((current) => {
      const scale = Math.max(current.scale, 0.8);
      return { scale, x: width / 2 - (node.x + node.width / 2) * scale, y: height / 2 - (node.y + node.height / 2) * scale };
    });
  }, [focus]);

  const edgeBoxes = useMemo(() => layout.edges.map(edgeBox), [layout.edges]);
  const margin = OVERDRAW / view.scale;
  const left = -view.x / view.scale - margin;
  const top = -view.y / view.scale - margin;
  const right = left + size.width / view.scale + 2 * margin;
  const bottom = top + size.height / view.scale + 2 * margin;
  const nodes = layout.nodes.filter((node) => node.x < right && node.x + node.width > left && node.y < bottom && node.y + node.height > top);
  const edges = layout.edges.filter((_, index) => {
    const extent = edgeBoxes[index]!;
    return extent.left < right && extent.right > left && extent.top < bottom && extent.bottom > top;
  });
  const withText = view.scale >= TEXT_SCALE;

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
      data-laid-out={layout.nodes.length}
      data-complete={complete ? 'true' : 'false'}
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
        {edges.map((edge) => (
          <Edge key={`${edge.from}>${edge.to}`} edge={edge} />
        ))}
        {nodes.map((node) => (
          <Node key={node.id} node={node} state={states.get(node.id)} withText={withText} found={node.id === focus?.id} onOpen={open} />
        ))}
      </g>
    </svg>
  );
}

function edgeBox(edge: LaidOutEdge): { left: number; right: number; top: number; bottom: number } {
  const extent = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
  for (const point of edge.points) {
    extent.left = Math.min(extent.left, point.x);
    extent.right = Math.max(extent.right, point.x);
    extent.top = Math.min(extent.top, point.y);
    extent.bottom = Math.max(extent.bottom, point.y);
  }
  return extent;
}

function Edge({ edge }: { edge: LaidOutEdge }) {
  const d = edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
  return (
    <path d={d} class={`edge ${edge.kind === 'output' || edge.trigger ? 'trigger' : 'no-trigger'}`} marker-end="url(#arrow)">
      <title>{`${edge.resources.join(', ')}${edge.kind === 'output' ? ' (put)' : edge.trigger ? ' (triggers)' : ' (does not trigger)'}`}</title>
    </path>
  );
}

interface NodeProps {
  node: LaidOutNode;
  state: NodeState | undefined;
  withText: boolean;
  found: boolean;
  onOpen(node: LaidOutNode): void;
}

function Node({ node, state, withText, found, onOpen }: NodeProps) {
  const classes = ['node', node.kind, `status-${state?.status ?? 'none'}`];
  if (state?.running) classes.push('running');
  if (state?.pinned) classes.push('pinned');
  if (state?.paused) classes.push('paused');
  if (found) classes.push('found');
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
      {withText ? (
        <text x={node.width / 2} y={node.height / 2 + 4} text-anchor="middle">
          {node.name}
        </text>
      ) : null}
      {state?.pinned ? <circle class="pin-mark" cx={node.width - 6} cy={6} r={4} /> : null}
      <title>{`${node.kind} ${node.name}${state ? ` (${[state.status, state.pinned && 'pinned', state.paused && 'paused'].filter(Boolean).join(', ')})` : ''}`}</title>
    </g>
  );
}
