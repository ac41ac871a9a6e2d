import { PageTitle } from '../ui';

export default function Maintenance(_props: Record<string, string>) {
  return <PageTitle title="Maintenance" />;
}
