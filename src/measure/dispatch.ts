/** A worker module's entry: one handler per task kind, so each module lists its tasks and nothing else. */
export function taskHandler<Task extends { kind: string }, Reply>(handlers: {
  [Kind in Task['kind']]: (task: Extract<Task, { kind: Kind }>) => Promise<Reply>;
}): (task: Task) => Promise<Reply> {
  return (task) => handlers[task.kind as Task['kind']](task as Extract<Task, { kind: Task['kind'] }>);
}
