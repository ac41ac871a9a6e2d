import { PageTitle } from '../ui';

export default function IncidentDetail(_props: Record<string, string>) {
  return <PageTitle title="IncidentDetail" />;
}
