namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM saved the vCPU on <see cref="Source"/> and now restores it into a new vCPU
/// on <see cref="Destination"/>. Events before this one happened on the source, events after it on
/// the destination: the source's KVM_GET_REG_LIST and KVM_GET_ONE_REG reads come before, the
/// destination's KVM_SET_ONE_REG writes and read-backs after (QEMU's save/restore of "cpu" state).</summary>
public sealed record Migrate(string Source, string Destination) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "migrate";
    public override string Describe() => $"migrate: {Source} -> new vCPU on {Destination}";
}
