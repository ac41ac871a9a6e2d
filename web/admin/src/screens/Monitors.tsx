// Placeholder until helper "screens" replaces it.
import { PageTitle } from '../ui';
import { addMessages, t } from '../i18n';

addMessages('en', { 'monitors.title': 'Monitors' });

export default function Monitors(_props: Record<string, string>) {
  return <PageTitle title={t('monitors.title')} />;
}
