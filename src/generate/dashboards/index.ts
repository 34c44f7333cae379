// The dashboards target: Grafana dashboards (overview, SLOs, pipeline) and their provisioning.
export { renderDashboards, writeDashboards } from './render.js';
export type { DashboardOptions } from './options.js';
