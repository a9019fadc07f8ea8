using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>One step of a script: a VMM input or an environment event to apply, or a tick that
/// lets the vCPU take one automatic step (enter, execute one instruction, handle one exit).</summary>
/// <remarks>A VMM input waits until KVM_RUN has returned (the vCPU runs on until then, within a
/// bound); an environment event happens exactly where it stands. Scripts do not look at the state,
/// so removing any action still gives a valid script: that is what makes shrinking work.</remarks>
public abstract record Action
{
    public static Action Of(TraceEvent e) => new Do(e);
    public static readonly Action Tick = new TickAction();
    public static Action Ticks(int n) => new TickAction(n);
}

/// <summary>Apply this input or environment event.</summary>
public sealed record Do(TraceEvent Event) : Action
{
    public override string ToString() => Event.Describe();
}

/// <summary>Let the vCPU take <see cref="Count"/> automatic steps.</summary>
public sealed record TickAction(int Count = 1) : Action
{
    public override string ToString() => Count == 1 ? "tick" : $"tick x{Count}";
}

/// <summary>Save the vCPU (KVM_GET_REG_LIST, KVM_GET_ONE_REG of each) and restore it into a new vCPU
/// of the variant under check (KVM_SET_ONE_REG of each register both lists have), as QEMU's
/// migration does. With <see cref="FromOlder"/>, everything before the first migration ran on the
/// variant's <see cref="Arm64.Variant.MigrationSource"/>, a release whose register list lacks OSLSR_EL1.</summary>
/// <remarks>Guest memory and pending interrupts (vGIC state, KVM_GET/SET_VCPU_EVENTS) travel with the
/// guest; the VMM's KVM_SET_GUEST_DEBUG does not (a debugger stays with the source).</remarks>
public sealed record MigrateAction(bool FromOlder = false) : Action
{
    public override string ToString() => FromOlder ? "migrate (source: the previous release)" : "migrate";
}
