// The help overlay (`?`/`h`): the key table, generated from the bindings themselves.
import { keyBindings } from './keyboard.ts';
import { Panel } from './panel.ts';

export function createHelp(): Panel {
  const panel = new Panel('labdeck-help', 'Keyboard shortcuts');
  const heading = document.createElement('h2');
  heading.textContent = 'Keyboard shortcuts';
  const table = document.createElement('table');
  const rows: [string, string][] = [
    ...keyBindings.map((binding): [string, string] => [binding.label, binding.description]),
    ['Number + Enter', 'Go to slide N'],
    // Handled by the terminal pane (src/client/terminal-pane.ts), not by the slide keys.
    ['F6', 'Into or out of the terminal (Tab stays in the shell)'],
    ['Swipe', 'Next / previous slide (touch screens)'],
  ];
  for (const [keys, description] of rows) {
    const row = table.insertRow();
    row.insertCell().textContent = keys;
    row.insertCell().textContent = description;
  }
  panel.element.append(heading, table);
  return panel;
}
