// Owns "install this app": Android/desktop Chrome's deferred install prompt, and the iOS Add-to-Home-Screen hint.

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class InstallState {
  /** Chrome offered to install (beforeinstallprompt fired) and the app is not installed yet. */
  canPrompt = $state(false);
  /** iOS Safari, not yet on the home screen: only the Share menu can install it. */
  iosHint = $state(false);
  installed = $state(false);
  private deferred: BeforeInstallPromptEvent | undefined;

  /** Starts listening; call once, as early as possible (the event fires soon after load). */
  init(): void {
    const standalone =
      matchMedia('(display-mode: standalone)').matches ||
      (navigator as Navigator & { standalone?: boolean }).standalone === true;
    this.installed = standalone;
    const ua = navigator.userAgent;
    this.iosHint = !standalone && /iPhone|iPad|iPod/.test(ua) && !/CriOS|FxiOS/.test(ua);
    window.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.deferred = event as BeforeInstallPromptEvent;
      this.canPrompt = true;
    });
    window.addEventListener('appinstalled', () => {
      this.installed = true;
      this.canPrompt = false;
    });
  }

  async prompt(): Promise<void> {
    const deferred = this.deferred;
    if (!deferred) return;
    this.deferred = undefined;
    this.canPrompt = false;
    await deferred.prompt();
    const choice = await deferred.userChoice;
    if (choice.outcome === 'accepted') this.installed = true;
  }
}

export const install = new InstallState();
