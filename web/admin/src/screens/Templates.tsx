import { PageTitle } from '../ui';

export default function Templates(_props: Record<string, string>) {
  return <PageTitle title="Templates" />;
}
