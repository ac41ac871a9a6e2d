import { PageTitle } from '../ui';

export default function Account(_props: Record<string, string>) {
  return <PageTitle title="Account" />;
}
