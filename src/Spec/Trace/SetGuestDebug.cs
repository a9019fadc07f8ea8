using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM calls KVM_SET_GUEST_DEBUG with this control word.</summary>
public sealed record SetGuestDebug(KvmGuestDebug Control) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_guest_debug";
    public override string Describe() => $"KVM_SET_GUEST_DEBUG({Format(Control)})";

    public static string Format(KvmGuestDebug c) =>
        c == KvmGuestDebug.None ? "0" : string.Join("|", Enum.GetValues<KvmGuestDebug>()
            .Where(f => f != KvmGuestDebug.None && c.HasFlag(f)).Select(f => f.ToString().Replace("KVM_GUESTDBG_", "")));
}
