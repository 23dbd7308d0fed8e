using DepthKit.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // first Ctrl+C asks the job to save and stop; a second one kills the process
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
return Cli.Run(args, Console.Out, Console.Error, cancel.Token);
