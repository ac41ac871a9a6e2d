// Placeholder until helper "screens" replaces it.
import { PageTitle } from '../ui';
import { addMessages, t } from '../i18n';

addMessages('en', { 'settings.title': 'Settings' });

export default function Settings(_props: Record<string, string>) {
  return <PageTitle title={t('settings.title')} />;
}
