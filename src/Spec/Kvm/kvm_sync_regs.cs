namespace Kvmspec.Spec.Kvm;

/// <summary>struct kvm_vcpu_events.exception as the model uses it: the vector (nr) and the
/// injected and pending flags (kvm_run->s.regs.events; KVM_GET/SET_VCPU_EVENTS).</summary>
/// <remarks>The model's VMM never sets KVM_VCPUEVENT_VALID_PAYLOAD (KVM_CAP_EXCEPTION_PAYLOAD is
/// off), so KVM drops <see cref="pending"/> on the way in (x86.c
/// kvm_vcpu_ioctl_x86_set_vcpu_events()). Left out: has_error_code, error_code, the interrupt,
/// NMI, SMI and shadow parts, exception_payload.</remarks>
public readonly record struct kvm_vcpu_events_exception(byte nr, bool injected, bool pending)
{
    /// <summary>No exception: what KVM_GET_VCPU_EVENTS reports when nothing is queued.</summary>
    public static readonly kvm_vcpu_events_exception None = default;

    /// <summary>A short text for lane diagrams.</summary>
    public string Describe() =>
        !injected && !pending ? "none" : $"nr={nr}{(injected ? " injected" : "")}{(pending ? " pending" : "")}";
}

/// <summary>The shared register area kvm_run->s.regs on x86 (struct kvm_sync_regs): the fields
/// the model uses, with their kernel names.</summary>
/// <remarks>arch/x86/include/uapi/asm/kvm.h struct kvm_sync_regs { struct kvm_regs regs; struct
/// kvm_sregs sregs; struct kvm_vcpu_events events; }. SIMPLIFICATION: regs has only rip, rflags
/// and rbx (the registers the LX-X86-SR guest loop uses); sregs only apic_base and CR4.PAE (the
/// model's guest is always in long mode, EFER.LME=1 and CR0.PG=1, so CR4.PAE must stay 1);
/// events only the exception (<see cref="kvm_vcpu_events_exception"/>). The registers the model
/// leaves out keep their values when KVM copies the area in.</remarks>
public readonly record struct kvm_sync_regs(ulong rip, ulong rflags, ulong rbx, ulong apic_base, bool CR4_PAE, kvm_vcpu_events_exception exception)
{
    /// <summary>A short text for lane diagrams.</summary>
    public string Describe() =>
        $"regs{{rip=0x{rip:X} rflags=0x{rflags:X} rbx=0x{rbx:X}}} sregs{{apic_base=0x{apic_base:X} cr4.PAE={(CR4_PAE ? 1 : 0)}}} events{{{exception.Describe()}}}";
}
