import { useEffect, useRef, useState } from 'preact/hooks';
import { Failure, Loading } from './states.tsx';

/**
 * A bar chart over time (uPlot): one series per name, x in seconds since the epoch. uPlot is loaded on first use,
 * so it costs nothing to pages without charts (the first load of the console stays small).
 */
export function TimeBars({ x, series, label }: { x: number[]; series: { name: string; values: number[]; color: string }[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | unknown>('loading');
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let disposed = false;
    let cleanup = () => undefined as void;
    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: uPlot }]) => {
      if (disposed) return;
      const width = () => Math.max(320, element.clientWidth - 16);
      const bars = uPlot.paths.bars?.({ size: [0.8, 24] });
      const plot = new uPlot(
        {
          width: width(),
          height: 240,
          series: [{}, ...series.map((one) => ({ label: one.name, stroke: one.color, fill: `${one.color}55`, paths: bars, points: { show: false } }))],
          axes: [{}, { label: 'transactions', size: 50 }],
          scales: { x: { time: true } },
        },
        [x, ...series.map((one) => one.values)],
        element,
      );
      const resize = () => plot.setSize({ width: width(), height: 240 });
      window.addEventListener('resize', resize);
      cleanup = () => {
        window.removeEventListener('resize', resize);
        plot.destroy();
      };
      setState('ready');
    }, setState);
    return () => {
      disposed = true;
      cleanup();
    };
  }, [JSON.stringify([x, series])]);
  return (
    <>
      {state === 'loading' && <Loading what="the chart" />}
      {state !== 'loading' && state !== 'ready' && <Failure error={state} />}
      <div class="chart" ref={container} role="img" aria-label={label} />
    </>
  );
}
