/** A worker module's entry: one handler per task kind, so each module lists its tasks and nothing else. */
import { publishThisHeap } from './wasm-heap.js';

/** Every task ends by publishing this thread's wasm heap size, before its reply reaches the main thread. */
export function taskHandler<Task extends { kind: string }, Reply>(handlers: {
  [Kind in Task['kind']]: (task: Extract<Task, { kind: Kind }>) => Promise<Reply>;
}): (task: Task) => Promise<Reply> {
  return async (task) => {
    try {
      return await handlers[task.kind as Task['kind']](task as Extract<Task, { kind: Task['kind'] }>);
    } finally {
      publishThisHeap();
    }
  };
}
