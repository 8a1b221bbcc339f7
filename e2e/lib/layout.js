// Layout checks.

export const PHONE_VIEWPORT = { width: 375, height: 812 };

/**
 * Resizes the page to a 375 px wide phone viewport and throws if the document
 * is wider than that (horizontal scrolling), naming the elements that stick out.
 * @param {import('playwright-core').Page} page
 */
export async function assertNoHorizontalScroll(page, viewport = PHONE_VIEWPORT) {
  await page.setViewportSize(viewport);
  const { scrollWidth, culprits } = await page.evaluate(
    (width) =>
      new Promise((resolve) =>
        // Measure after the resize has been laid out and painted.
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const culprits = [];
            for (const el of document.body ? document.body.querySelectorAll('*') : []) {
              const rect = el.getBoundingClientRect();
              if (rect.right > width + 0.5 && culprits.length < 10) {
                const id = el.id ? `#${el.id}` : '';
                const cls =
                  typeof el.className === 'string' && el.className.trim()
                    ? `.${el.className.trim().split(/\s+/).join('.')}`
                    : '';
                culprits.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(rect.right)} px)`);
              }
            }
            resolve({ scrollWidth: document.documentElement.scrollWidth, culprits });
          }),
        ),
      ),
    viewport.width,
  );
  if (scrollWidth > viewport.width) {
    throw new Error(
      `${page.url()} scrolls horizontally at ${viewport.width} px: document is ${scrollWidth} px wide` +
        (culprits.length ? `\nelements past the right edge:\n  ${culprits.join('\n  ')}` : ''),
    );
  }
}
