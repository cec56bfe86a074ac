/** The panel's icons (theme-aware: `jp-icon*` classes take the theme's colours). */
import { LabIcon } from '@jupyterlab/ui-components';

/** A notebook page with an arrow out of it: notebook to production. */
export const nb2prodIcon = new LabIcon({
  name: 'nb2prod:logo',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M5 2h9l5 5v5.5h-2V8h-4V4H7v16h6v2H5a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z"/>
    <path d="M9 11h6v2H9zM9 15h4v2H9z"/>
    <path d="M16 14.5l1.4-1.4L22.3 18l-4.9 4.9-1.4-1.4 2.5-2.5H14v-2h4.5z"/>
  </g>
</svg>`
});

export const errorSeverityIcon = new LabIcon({
  name: 'nb2prod:severity-error',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <circle cx="8" cy="8" r="7" fill="#d32f2f"/>
  <path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" stroke="#fff" stroke-width="1.8"/>
</svg>`
});

export const warningSeverityIcon = new LabIcon({
  name: 'nb2prod:severity-warning',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <path d="M8 1l7.5 13.5h-15z" fill="#f57c00"/>
  <path d="M8 5.5v4.5M8 11.5v1.6" stroke="#fff" stroke-width="1.6"/>
</svg>`
});

export const infoSeverityIcon = new LabIcon({
  name: 'nb2prod:severity-info',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <circle cx="8" cy="8" r="7" fill="#1976d2"/>
  <path d="M8 7v5M8 4v1.6" stroke="#fff" stroke-width="1.8"/>
</svg>`
});

export const severityIcons = {
  error: errorSeverityIcon,
  warning: warningSeverityIcon,
  info: infoSeverityIcon
};
