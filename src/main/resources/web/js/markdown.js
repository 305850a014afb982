// Markdown for chat answers, safely: the text is HTML-escaped first, so nothing a model writes can become
// markup; only the few constructs below are turned into tags afterwards. Fenced code blocks, inline
// code, bold, italics, headings, lists and paragraphs; anything else stays text.
export function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function inline(s) {
  return s
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<em>$2</em>');
}

export function renderMarkdown(text) {
  const out = [];
  const parts = escapeHtml(text).split(/^```/m);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {                       // inside a fence: first line is the language
      const nl = part.indexOf('\n');
      const lang = nl < 0 ? '' : part.slice(0, nl).trim();
      const code = nl < 0 ? part : part.slice(nl + 1);
      out.push(`<pre><code${lang ? ` data-lang="${lang.replace(/[^\w+-]/g, '')}"` : ''}>${code.replace(/\n$/, '')}</code></pre>`);
      return;
    }
    for (const block of part.split(/\n{2,}/)) {
      if (!block.trim()) continue;
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*([-*]|\d+\.)\s+/.test(l) || !l.trim())) {
        const ordered = /^\s*\d+\./.test(lines[0]);
        const items = lines.filter((l) => l.trim()).map((l) => `<li>${inline(l.replace(/^\s*([-*]|\d+\.)\s+/, ''))}</li>`);
        out.push(`<${ordered ? 'ol' : 'ul'}>${items.join('')}</${ordered ? 'ol' : 'ul'}>`);
      } else if (/^#{1,6} /.test(block)) {
        const level = Math.min(6, block.match(/^#+/)[0].length + 2);
        out.push(`<h${level}>${inline(block.replace(/^#+ /, ''))}</h${level}>`);
      } else {
        out.push(`<p>${inline(block).replace(/\n/g, '<br>')}</p>`);
      }
    }
  });
  return out.join('');
}
