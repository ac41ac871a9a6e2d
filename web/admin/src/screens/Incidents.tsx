import { PageTitle } from '../ui';

export default function Incidents(_props: Record<string, string>) {
  return <PageTitle title="Incidents" />;
}
