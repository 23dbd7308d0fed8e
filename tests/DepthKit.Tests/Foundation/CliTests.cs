using DepthKit.Cli;

namespace DepthKit.Tests.Foundation;

/// <summary>Runs the CLI in-process, as a user would type it.</summary>
public static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

public class CliTests
{
    [Fact]
    public void DoctorReportsVersionsFixesAndAWorkingConvolution()
    {
        var (code, output, _) = CliRunner.Run("doctor", "--device", "cpu");
        Assert.Equal(0, code);
        Assert.Contains("TorchSharp           0.107.0", output);
        Assert.Contains("libtorch             2.10.0", output);
        Assert.Contains("oneDNN", output);
        Assert.Contains("libstdc++ fix", output);
        Assert.Contains("conv2d check         ok", output);
    }

    [Fact]
    public void EveryCommandHasHelpAndUnknownOptionsFailWithOneLine()
    {
        foreach (var command in Cli.Cli.Commands)
        {
            var (code, output, _) = CliRunner.Run([.. command.Name.Split(' '), "--help"]);
            Assert.Equal(0, code);
            Assert.Contains($"depthkit {command.Name}", output);
            var (bad, _, error) = CliRunner.Run([.. command.Name.Split(' '), "--no-such-option", "1"]);
            Assert.Equal(2, bad);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("--no-such-option", error);
        }
    }

    [Fact]
    public void UnknownCommandListsTheKnownOnes()
    {
        var (code, _, error) = CliRunner.Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("doctor", error);
    }

    [Fact]
    public void CudaWithoutCudaIsAClearError()
    {
        Assert.Equal(TorchSharp.torch.CPU.ToString(), Runtime.SelectDevice("auto", cudaAvailable: false).ToString());
        Assert.Equal("cuda:1", Runtime.SelectDevice("cuda:1", cudaAvailable: true).ToString());
        var e = Assert.Throws<InvalidOperationException>(() => Runtime.SelectDevice("cuda", cudaAvailable: false));
        Assert.Contains("TorchBackend=cuda", e.Message);
        Assert.Throws<ArgumentException>(() => Runtime.SelectDevice("tpu", cudaAvailable: false));
        if (!Runtime.Info!.CudaAvailable)
        {
            var (code, _, error) = CliRunner.Run("doctor", "--device", "cuda");
            Assert.Equal(1, code);
            Assert.Contains("CUDA is not available", error);
        }
    }
}
