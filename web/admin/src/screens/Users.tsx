// Placeholder until helper "screens" replaces it.
import { PageTitle } from '../ui';
import { addMessages, t } from '../i18n';

addMessages('en', { 'users.title': 'Users' });

export default function Users(_props: Record<string, string>) {
  return <PageTitle title={t('users.title')} />;
}
