import { PageTitle } from '../ui';

export default function IncidentForm(_props: Record<string, string>) {
  return <PageTitle title="IncidentForm" />;
}
