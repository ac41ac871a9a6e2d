import { PageTitle } from '../ui';

export default function Setup(_props: Record<string, string>) {
  return <PageTitle title="Setup" />;
}
