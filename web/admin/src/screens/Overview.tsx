import { PageTitle } from '../ui';

export default function Overview(_props: Record<string, string>) {
  return <PageTitle title="Overview" />;
}
