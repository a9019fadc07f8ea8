namespace Kvmspec.Model.X86;

/// <summary>X86RunProtocol's triggers: the VMM's ioctls, the automatic steps, the environment.</summary>
public enum X86RunTrigger
{
    KVM_SET_GUEST_DEBUG,
    KVM_GET_REGS,
    KVM_SET_REGS,
    io_data,
    mmio_data,
    KVM_RUN,
    enter,
    execute,
    handle_exit,
    guest_irq,
    host_irq,
    signal,
    /// <summary>A VMM thread writes kvm_run's kvm_valid_regs, kvm_dirty_regs and s.regs (memory, at any time).</summary>
    kvm_run_s_regs,
}
