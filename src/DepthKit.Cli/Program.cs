using System.Runtime.InteropServices;
using DepthKit.Cli;

using var cancel = new CancellationTokenSource();
// Ctrl+C, SIGTERM (docker stop, systemd, Slurm, timeout) and SIGHUP (a closed terminal) all ask the job to save
// and stop; a second signal of any kind ends the process at once
void Interrupt(PosixSignalContext context, string name)
{
    if (cancel.IsCancellationRequested) return;
    context.Cancel = true;
    Cli.InterruptSignal = name;
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt(c, "SIGINT"));
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt(c, "SIGTERM"));
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => Interrupt(c, "SIGHUP"));
return Cli.Run(args, Console.Out, Console.Error, cancel.Token);
