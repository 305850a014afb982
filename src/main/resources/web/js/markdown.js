// Markdown for chat answers: marked (GitHub's flavour: tables, nested lists, links, code) behind DOMPurify, code
// blocks highlighted by highlight.js. All three are npm packages the build fetches by version and integrity
// (src/main/web) into web/vendor; none is written here. HTML a model writes is shown as text, never as markup:
// marked's html tokens are escaped before DOMPurify sees the result, and DOMPurify removes what no Markdown makes.
import { Marked } from '../vendor/marked.js';
import DOMPurify from '../vendor/purify.js';
import hljs from '../vendor/highlight.js';

export function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const markdown = new Marked({ gfm: true, breaks: true, renderer: { html: (token) => escapeHtml(token.text) } });

// links a model writes open beside the dashboard, and cannot reach back into it
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** The HTML of {@code text} read as Markdown, sanitised. */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(markdown.parse(text), { USE_PROFILES: { html: true } });
}

/** Shows {@code text} in {@code element} as Markdown, its code blocks highlighted. */
export function showMarkdown(element, text) {
  element.innerHTML = renderMarkdown(text);
  for (const code of element.querySelectorAll('pre code')) hljs.highlightElement(code);
}
