using System.Runtime.CompilerServices;

namespace Kvmspec.Model.Machines;

/// <summary>A named condition on a transition. The name is the C# expression that made it, so
/// diagrams print <c>SingleStepRequested</c>, never "Function".</summary>
public sealed record Guard<TCtx>(string Name, Func<TCtx, bool> Holds)
{
    public static Guard<TCtx> Of(Func<TCtx, bool> holds, [CallerArgumentExpression(nameof(holds))] string name = "") => new(Clean(name), holds);

    public static readonly Guard<TCtx> Always = new("", _ => true);

    internal static string Clean(string expr) => expr.Replace("Guards.", "").Replace("Effects.", "").Trim();

    public override string ToString() => Name;
}
