import { PageTitle } from '../ui';

export default function SignIn(_props: Record<string, string>) {
  return <PageTitle title="SignIn" />;
}
