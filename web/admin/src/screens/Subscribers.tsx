// Placeholder until helper "screens" replaces it.
import { PageTitle } from '../ui';
import { addMessages, t } from '../i18n';

addMessages('en', { 'subscribers.title': 'Subscribers' });

export default function Subscribers(_props: Record<string, string>) {
  return <PageTitle title={t('subscribers.title')} />;
}
