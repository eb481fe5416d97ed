import type { CairnClient } from '@cairn/sdk';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { createClient } from './client.js';

interface WorkspaceValue {
  workspace: string;
  client: CairnClient;
}

const WorkspaceContext = createContext<WorkspaceValue | null>(null);

/** Gives the pages below it the workspace of the URL (`/w/:workspace/...`) and a client bound to it. */
export function WorkspaceProvider({ workspace, children }: { workspace: string; children: ReactNode }) {
  const value = useMemo(() => ({ workspace, client: createClient(workspace) }), [workspace]);
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceValue {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error('useWorkspace() is used outside a WorkspaceProvider');
  return value;
}

/** The SDK client of the current workspace. */
export function useClient(): CairnClient {
  return useWorkspace().client;
}
