using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM calls KVM_SET_GUEST_DEBUG with this control word and, with
/// KVM_GUESTDBG_USE_HW, one hardware breakpoint at <see cref="HwBreakpoint"/> (struct
/// kvm_guest_debug_arch dbg_bcr[0]/dbg_bvr[0], an enabled EL1 address breakpoint).</summary>
public sealed record SetGuestDebug(KvmGuestDebug Control, ulong? HwBreakpoint = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_guest_debug";
    public override string Describe() => $"KVM_SET_GUEST_DEBUG({Format(Control)}{(HwBreakpoint is { } b ? $", bvr0=0x{b:X}" : "")})";

    public bool SingleStep => Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE) && Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP);
    public bool Enabled => Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE);

    public static string Format(KvmGuestDebug c) =>
        c == KvmGuestDebug.None ? "0" : string.Join("|", Enum.GetValues<KvmGuestDebug>()
            .Where(f => f != KvmGuestDebug.None && c.HasFlag(f)).Select(f => f.ToString().Replace("KVM_GUESTDBG_", "")));
}
