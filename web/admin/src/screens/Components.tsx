// Placeholder until helper "screens" replaces it.
import { PageTitle } from '../ui';
import { addMessages, t } from '../i18n';

addMessages('en', { 'components.title': 'Components' });

export default function Components(_props: Record<string, string>) {
  return <PageTitle title={t('components.title')} />;
}
