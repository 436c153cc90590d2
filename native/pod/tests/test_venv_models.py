"""The pinned pod venv can build and run the model classes the worker uses.

Real weights cannot exist on a test machine, so this builds a tiny random-weight FLUX
transformer and VAE from config with the pinned diffusers/torch and runs them on the CPU.
If a pin bump breaks these classes or their call signatures, this fails before a pod does.
"""

import pytest

torch = pytest.importorskip("torch", reason="the pod venv (scripts/pod-venv.sh) has torch; system Python may not")
diffusers = pytest.importorskip("diffusers")


def tiny_transformer():
    from diffusers import FluxTransformer2DModel

    torch.manual_seed(0)
    return FluxTransformer2DModel(
        patch_size=1,
        in_channels=16,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=(4, 6, 6),
        guidance_embeds=True,
    ).eval()


def test_tiny_flux_transformer_forward_is_deterministic():
    model = tiny_transformer()
    gen = torch.Generator().manual_seed(42)
    seq, txt = 16, 8  # a 4x4 grid of packed latents, 8 text tokens
    hidden = torch.randn(1, seq, 16, generator=gen)
    encoder = torch.randn(1, txt, 32, generator=gen)
    pooled = torch.randn(1, 32, generator=gen)
    img_ids = torch.zeros(seq, 3)
    img_ids[:, 1] = torch.arange(seq) // 4
    img_ids[:, 2] = torch.arange(seq) % 4
    txt_ids = torch.zeros(txt, 3)
    kwargs = dict(
        hidden_states=hidden,
        encoder_hidden_states=encoder,
        pooled_projections=pooled,
        timestep=torch.tensor([0.5]),
        guidance=torch.tensor([3.5]),
        img_ids=img_ids,
        txt_ids=txt_ids,
        return_dict=False,
    )
    with torch.no_grad():
        a = model(**kwargs)[0]
        b = model(**kwargs)[0]
    assert a.shape == (1, seq, 16)
    assert torch.isfinite(a).all()
    assert torch.equal(a, b)


def test_tiny_vae_decodes_to_an_image_tensor():
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        block_out_channels=(8, 16),
        layers_per_block=1,
        latent_channels=16,
        norm_num_groups=8,
        scaling_factor=0.3611,
        shift_factor=0.1159,
    ).eval()
    with torch.no_grad():
        image = vae.decode(torch.randn(1, 16, 8, 8)).sample
    assert image.shape == (1, 3, 16, 16)
    assert torch.isfinite(image).all()
