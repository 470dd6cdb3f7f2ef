/**
 * The web UI of `mia serve` (docs/web-ui.md): sign in with a token, then the pages by the address's
 * hash — #/ runs, #/submit, #/run/<id>, #/compare/<experiment>. The token stays in this tab's
 * sessionStorage; a read-only token gets no write buttons (the server refuses them anyway).
 */
import { ApiFailure, json, tokenStore } from './api.js';
import { comparePage } from './compare-page.js';
import { h, labelled, replace } from './dom.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';
import { submitPage } from './submit-page.js';

type Scope = 'admin' | 'read-only' | 'worker';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
let scope: Scope | undefined;
let page: AbortController | undefined;

function signIn(message?: string): void {
  nav.hidden = true;
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true });
  const err = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { id: 'sign-in', class: 'sign-in' },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { class: 'note' },
      'A token from `mia token create` (or DIR/admin-token). It is kept in this tab only.',
    ),
    labelled('Token', token),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    err,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    tokenStore.set(token.value.trim());
    void start();
  });
  replace(main, form);
  token.focus();
}

function navigation(): void {
  replace(
    nav,
    h('a', { href: '#/' }, 'Runs'),
    scope === 'admin' ? h('a', { href: '#/submit', id: 'nav-submit' }, 'Submit') : null,
    h('span', { class: 'who' }, scope === 'admin' ? 'admin token' : 'read-only token'),
    h(
      'button',
      {
        type: 'button',
        id: 'sign-out',
        class: 'link',
        onClick: () => {
          tokenStore.clear();
          scope = undefined;
          page?.abort();
          // the next person starts from the runs page, not from where this one left
          history.replaceState(null, '', location.pathname);
          signIn();
        },
      },
      'Sign out',
    ),
  );
  nav.hidden = false;
}

function route(): void {
  if (scope === undefined) return;
  page?.abort();
  page = new AbortController();
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').filter((p) => p !== '');
  const canWrite = scope === 'admin';
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#${hash}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (parts[0] === 'submit') submitPage(main, page.signal, canWrite);
  else if (parts[0] === 'run' && parts[1] !== undefined) runPage(main, page.signal, parts[1], canWrite);
  else if (parts[0] === 'compare' && parts[1] !== undefined)
    comparePage(main, page.signal, decodeURIComponent(parts[1]));
  else runsPage(main, page.signal);
  main.focus();
}

async function start(): Promise<void> {
  if (tokenStore.get() === null) return signIn();
  try {
    scope = (await json<{ scope: Scope }>('/api/v1/whoami')).scope;
  } catch (e) {
    tokenStore.clear();
    return signIn(e instanceof ApiFailure ? `That token was not accepted: ${e.body.message}.` : String(e));
  }
  navigation();
  route();
}

window.addEventListener('hashchange', route);
void start();
