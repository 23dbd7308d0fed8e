using DepthKit.Models;
using DepthKit.Notebooks;
using DepthKit.Notebooks.Display;
using DepthKit.Tests.Data;
using DepthKit.Experiments;
using DepthKit.Training;

namespace DepthKit.Tests.Training;

/// <summary>One library call opens an experiment's data, for the CLI and the notebooks alike.</summary>
public class ExperimentTests
{
    [Fact]
    public void NyuDepthV2OpensWithItsSplitsInTheLibraryAndInTheNotebooks()
    {
        using var dir = new TempDir();
        NyuFixtures.WriteDenseDepth(dir.Path, frames: 6);
        var spec = new DataSpec { Source = dir.Path, ValCount = 2 };
        var data = Experiment.Open(spec);
        Assert.Equal((4, 2, 6), (data.Train.Count, data.Val.Count, data.Test.Count));
        Assert.Contains("densedepth-folder", data.Description);
        var lesson = LessonData.Open(spec, new NullSink());
        Assert.Equal((data.Train.Count, data.Val.Count, data.Test.Count), (lesson.Train.Count, lesson.Val.Count, lesson.Test.Count));
        Assert.Equal(data.Test.Get(3).Depth, lesson.Test.Get(3).Depth);
        Assert.Equal(data.Test.Count, Experiment.OpenTest(spec).Count);
    }

    [Fact]
    public void SynthRoomsOpensTheSameForTheCliAndTheNotebooks()
    {
        var spec = DataSpec.Synth(16, 16, trainCount: 3, valCount: 2, testCount: 2, seed: 5);
        var data = Experiment.Open(spec);
        Assert.Equal((3, 2, 2), (data.Train.Count, data.Val.Count, data.Test.Count));
        var sink = new NullSink();
        var lesson = LessonData.SynthRooms(16, 16, 3, 2, 2, seed: 5, sink: sink);
        Assert.True(sink.Shown > 0); // the progress bar was drawn
        Assert.Equal(data.Train.Get(2).Depth, lesson.Train.Get(2).Depth);
        Assert.Equal(data.Description, lesson.Description);
    }

    [Fact]
    public void BuildModelFreezesTheEncoderWhenAsked()
    {
        var config = new ModelConfig("cnn-res", encoder: "resnet18", inputHeight: 64, inputWidth: 64);
        var frozen = Experiment.BuildModel(config, freezeEncoder: true);
        Assert.True(frozen.EncoderFrozen);
        Assert.All(frozen.Encoder.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(Experiment.BuildModel(config).EncoderFrozen);
        Assert.Equal("resnet18-cntk", Experiment.EncoderFor("resnet18-imagenet", null));
        Assert.Equal("resnet34", Experiment.EncoderFor("resnet18-imagenet", "resnet34"));
    }

    sealed class NullSink : IDisplaySink
    {
        public int Shown;
        public IDisplayHandle Show(object value) { Shown++; return new Handle(); }
        sealed class Handle : IDisplayHandle { public void Update(object value) { } }
    }
}
