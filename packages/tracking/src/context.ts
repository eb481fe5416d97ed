/** Who performs a tracking operation, in which workspace, and (optionally) why; recorded in the audit log. */
export interface RequestContext {
  workspaceId: string;
  actor: string;
  message?: string | null;
}
