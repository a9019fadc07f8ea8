using System.Runtime.CompilerServices;

namespace Kvmspec.Model.Machines;

/// <summary>A named, pure state update on a transition, usually named after the kernel function
/// it models (<c>kvm_skip_instr</c>, <c>kvm_handle_mmio_return</c>).</summary>
public sealed record Effect<TCtx>(string Name, Func<TCtx, TCtx> Apply)
{
    public static Effect<TCtx> Of(Func<TCtx, TCtx> apply, [CallerArgumentExpression(nameof(apply))] string name = "") => new(Guard<TCtx>.Clean(name), apply);

    public override string ToString() => Name;
}
