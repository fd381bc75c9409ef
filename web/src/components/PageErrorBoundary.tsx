/**
 * A page that throws while rendering shows the error as ErrorBox does (a title, the message and a
 * code, never a stack) inside the shell instead of leaving a blank screen. The error is still
 * reported as uncaught (window.reportError), so the browser's console and the e2e tests' page-error
 * check see it. Moving to another page clears it.
 */
import { Component, type ReactNode } from 'react';
import { ErrorBox } from './ErrorBox.js';

export class PageErrorBoundary extends Component<{ path: string; children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: unknown } {
    return { error: error ?? new Error('render failed') };
  }

  override componentDidCatch(error: unknown): void {
    window.reportError?.(error);
  }

  override componentDidUpdate(prev: { path: string }): void {
    if (this.state.error && prev.path !== this.props.path) this.setState({ error: null });
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <main>
        <ErrorBox error={this.state.error} onRetry={() => window.location.reload()} />
      </main>
    );
  }
}
