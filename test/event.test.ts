// The server's one event convention (src/event.ts): what every `onX: Event<T>` property promises its subscribers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../src/event.ts';

test('subscribers get every fired value until they dispose their subscription', { timeout: 5000 }, () => {
  const emitter = new Emitter<number>();
  const first: number[] = [];
  const second: number[] = [];
  const subscription = emitter.event((value) => first.push(value));
  emitter.event((value) => second.push(value));
  emitter.fire(1);
  subscription.dispose();
  subscription.dispose(); // twice is harmless
  emitter.fire(2);
  assert.deepEqual(first, [1]);
  assert.deepEqual(second, [1, 2]);
});

test('a listener subscribed while an event fires hears the next one, not this one', { timeout: 5000 }, () => {
  const emitter = new Emitter<string>();
  const heard: string[] = [];
  emitter.event(() => void emitter.event((value) => heard.push(value)));
  emitter.fire('a');
  emitter.fire('b');
  assert.deepEqual(heard, ['b']);
});

test('disposing the emitter drops every subscriber', { timeout: 5000 }, () => {
  const emitter = new Emitter<void>();
  let calls = 0;
  emitter.event(() => calls++);
  emitter.fire();
  emitter.dispose();
  emitter.fire();
  assert.equal(calls, 1);
});
