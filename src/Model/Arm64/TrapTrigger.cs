namespace Kvmspec.Model.Arm64;

/// <summary>TrapEmulation's triggers, named after the kernel paths that fire them.</summary>
public enum TrapTrigger
{
    /// <summary>An exit handler finished emulating the trapped instruction (kvm_incr_pc / kvm_skip_instr).</summary>
    emulated,
    /// <summary>io_mem_abort() for an access no in-kernel device claims: KVM_EXIT_MMIO.</summary>
    io_mem_abort_user,
    /// <summary>io_mem_abort() for an access without a valid syndrome.</summary>
    io_mem_abort_nisv,
    /// <summary>KVM_RUN → kvm_handle_mmio_return().</summary>
    kvm_handle_mmio_return,
    /// <summary>KVM_SET_VCPU_EVENTS with ext_dabt_pending → kvm_inject_dabt().</summary>
    ext_dabt_pending,
    /// <summary>The VMM emulated a no-ISV access itself.</summary>
    vmm_emulate,
    /// <summary>__kvm_adjust_pc(): at guest entry, and (v5.13+) before returning to userspace.</summary>
    __kvm_adjust_pc,
}
