using Kvmspec.Model.Exploration;
using Xunit;

namespace Kvmspec.Properties.Support;

/// <summary>Assertions that print the trace's lane diagram when they fail.</summary>
public static class TraceAssert
{
    public static void That(bool condition, string claim, Kvmspec.Spec.Trace.Trace trace) =>
        Assert.True(condition, $"{claim}\n{LaneDiagram.Text(trace)}");
}
