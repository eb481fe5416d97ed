import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/**
 * A uPlot chart sized to its container: its width always, its height too with `height="fill"` (the
 * box then takes the height its parent gives it, e.g. a resizable dashboard card). `data` changes are applied with setData (no rebuild); a change
 * of `options` (log scale, labels) rebuilds the chart. Dragging across the plot zooms the x-axis and
 * reports the new range through `onZoom`; a double click resets (reported as null).
 */
export function UPlotChart({
  options,
  data,
  onZoom,
  height = 220,
}: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  onZoom?: (range: { min: number; max: number } | null) => void;
  height?: number | 'fill';
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let userZoom = false;
    const size = () => ({
      width: Math.max(200, el.clientWidth),
      height: height === 'fill' ? Math.max(60, el.clientHeight) : height,
    });
    const plot = new uPlot(
      {
        ...options,
        ...size(),
        cursor: { drag: { x: true, y: false, setScale: true }, ...options.cursor },
        hooks: {
          ...options.hooks,
          setSelect: [
            () => {
              userZoom = true;
            },
          ],
          setScale: [
            (u, key) => {
              if (key !== 'x' || !userZoom) return;
              userZoom = false;
              const { min, max } = u.scales.x!;
              if (min !== undefined && max !== undefined && min !== null && max !== null)
                zoomRef.current?.({ min, max });
            },
          ],
        },
      },
      dataRef.current,
      el,
    );
    const reset = () => zoomRef.current?.(null);
    plot.over.addEventListener('dblclick', reset);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize(size()));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.over.removeEventListener('dblclick', reset);
      plot.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    chart.current?.setData(data, true);
  }, [data]);

  return <div className={height === 'fill' ? 'uplot-box uplot-fill' : 'uplot-box'} ref={box} />;
}
