using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Input (x86): the VMM calls KVM_SET_GUEST_DEBUG with this control word and, for
/// KVM_GUESTDBG_USE_HW_BP, struct kvm_guest_debug_arch debugreg[0..3] and debugreg[7];
/// <see cref="Error"/> is set when KVM refused the call (INJECT_DB/BP with an exception already
/// pending: -EBUSY; an unknown bit: -EINVAL).</summary>
public sealed record X86SetGuestDebug(X86GuestDebug Control, ulong Dr7 = 0x400, ulong Dr0 = 0, ulong Dr1 = 0, ulong Dr2 = 0, ulong Dr3 = 0, Errno? Error = null) : TraceEvent
{
    /// <summary>DR7 after reset: only bit 10 (reads as 1).</summary>
    public const ulong Dr7Reset = X86.Dr7.Fixed;

    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_guest_debug";

    public bool Enabled => Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_ENABLE);
    public bool SingleStep => Enabled && Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_SINGLESTEP);
    public bool Has(X86GuestDebug f) => Enabled && Control.HasFlag(f);

    /// <summary>The address in debugreg[i].</summary>
    public ulong Dr(int i) => i switch { 0 => Dr0, 1 => Dr1, 2 => Dr2, _ => Dr3 };

    public override string Describe()
    {
        var regs = Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP)
            ? $", dr7=0x{Dr7:X}" + string.Concat(Enumerable.Range(0, 4).Where(i => Dr(i) != 0).Select(i => $", dr{i}=0x{Dr(i):X}"))
            : "";
        return $"KVM_SET_GUEST_DEBUG({Format(Control)}{regs}){(Error is { } e ? $" = -{e}" : "")}";
    }

    public static string Format(X86GuestDebug c) =>
        c == X86GuestDebug.None ? "0" : string.Join("|", Enum.GetValues<X86GuestDebug>()
            .Where(f => f != X86GuestDebug.None && c.HasFlag(f)).Select(f => f.ToString().Replace("KVM_GUESTDBG_", "")));
}
