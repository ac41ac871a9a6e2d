// Shapes of the admin API's JSON (see web/api/openapi.json).
export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
export const kComponentStatuses: ComponentStatus[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
export const kIncidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const kMaintenanceStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const kImpacts = ['none', 'minor', 'major', 'critical'] as const;

export interface Component {
  id: string;
  name: string;
  status: ComponentStatus;
  position: number;
  description: string | null;
  group_id: string | null;
  group: boolean;
  components?: string[];
}

export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface IncidentUpdate {
  id: string;
  status: string;
  body: string;
  created_at: string;
  display_at: string;
  affected_components: AffectedComponent[] | null;
  deliver_notifications: boolean;
}

export interface Incident {
  id: string;
  kind?: 'incident' | 'maintenance';
  name: string;
  status: string;
  impact: string;
  impact_override?: string | null;
  created_at: string;
  updated_at: string;
  started_at: string;
  resolved_at: string | null;
  shortlink: string;
  incident_updates: IncidentUpdate[];
  components: Component[];
  component_ids?: string[];
  automated?: boolean;
  scheduled_for?: string | null;
  scheduled_until?: string | null;
  scheduled_auto_in_progress?: boolean;
  scheduled_auto_completed?: boolean;
  scheduled_remind_prior?: boolean;
}

export interface Template {
  id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  title: string;
  status: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface Monitor {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  state: { status: 'up' | 'degraded' | 'down'; since: string | null; message: string; incident_id: string | null };
}

export interface Preview {
  body_html: string;
  email: Record<string, { subject: string; text: string; html: string }>;
  chat: Record<string, string>;
}

export const kOpenIncidentStatuses = 'investigating,identified,monitoring';
export const kOpenMaintenanceStatuses = 'scheduled,in_progress,verifying';
