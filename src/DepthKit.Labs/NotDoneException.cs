namespace DepthKit.Labs;

/// <summary>What a task's stub throws until the student replaces it; a check reports it as "not done yet".</summary>
public sealed class NotDoneException()
    : NotImplementedException("not done yet: replace `throw Lab.NotDone();` with your code");
