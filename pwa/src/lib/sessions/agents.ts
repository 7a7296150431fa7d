// Owns the agent choices the app offers and how each is described and started.

export type AgentChoice = 'shell' | 'claude' | 'codex' | 'gemini' | 'opencode' | 'custom';

export const AGENT_CHOICES: { value: AgentChoice; label: string; autoApprove: boolean }[] = [
  { value: 'shell', label: 'Shell', autoApprove: false },
  { value: 'claude', label: 'Claude Code', autoApprove: true },
  { value: 'codex', label: 'Codex', autoApprove: true },
  { value: 'gemini', label: 'Gemini CLI', autoApprove: true },
  { value: 'opencode', label: 'opencode', autoApprove: false },
  { value: 'custom', label: 'Custom command', autoApprove: false },
];

/** Whether the agent has a skip-permission mode the laptop can switch on. */
export function supportsAutoApprove(agent: AgentChoice): boolean {
  return AGENT_CHOICES.find((a) => a.value === agent)?.autoApprove ?? false;
}

export function agentLabel(agent: string): string {
  return AGENT_CHOICES.find((a) => a.value === agent)?.label ?? agent;
}

/** "3 min ago" style, for last activity. */
export function ago(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}
