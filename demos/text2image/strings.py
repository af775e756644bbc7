"""Text-to-image lab strings, English and Simplified Chinese (same keys in both)."""

from demos.text2image import scenes

_ZH_COLOURS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "blue": "蓝色", "purple": "紫色"}
_ZH_SHAPES = {"circle": "圆形", "square": "正方形", "triangle": "三角形"}
_ZH_SIZES = {"small": "小", "large": "大"}
_ZH_POSITIONS = {"top_left": "左上角", "top": "上方", "top_right": "右上角", "left": "左边", "center": "中间",
                 "right": "右边", "bottom_left": "左下角", "bottom": "下方", "bottom_right": "右下角"}

EN = {
    "t2i_tab": "Text to image",
    "t2i_intro": "How does a prompt steer a latent diffusion model, word by word and step by step? Type a prompt, "
                 "press Generate, and look inside.",
    "t2i_prompt": "Prompt",
    "t2i_edited_prompt": "Edited prompt (change one word)",
    "t2i_scheduler": "Scheduler",
    "t2i_sched_ddim": "DDIM",
    "t2i_sched_ddpm": "DDPM",
    "t2i_sched_dpmpp": "DPM-Solver++",
    "t2i_sched_euler": "Euler",
    "t2i_sched_euler_a": "Euler ancestral",
    "t2i_steps": "Denoising steps",
    "t2i_guidance": "Guidance scale s",
    "t2i_guidance_info": "0 ignores the prompt, 1 is the plain conditional model; 3 suits this model (the pipeline's default is 7.5)",
    "t2i_count": "Images to judge",
    "t2i_step": "Step",
    "t2i_layer": "Cross-attention layer",
    "t2i_layer_mean": "all layers averaged",
    "t2i_vae_source": "Image to encode",
    "t2i_vae_source_scene": "a scene of the data set",
    "t2i_vae_source_generated": "the last generated image",
    "t2i_vae_source_image": "drawn or uploaded",
    "t2i_colour": "Colour",
    "t2i_shape": "Shape",
    "t2i_size": "Size",
    "t2i_position": "Position",
    "t2i_scene_seed": "Scene seed (jitter)",
    **{f"t2i_colour_{c}": c for c in scenes.COLOURS},
    **{f"t2i_shape_{s}": s for s in scenes.SHAPES},
    **{f"t2i_size_{s}": s for s in scenes.SIZES},
    **{f"t2i_position_{p}": p.replace("_", " ") for p in scenes.POSITIONS},
    "t2i_attr_colour": "colour",
    "t2i_attr_shape": "shape",
    "t2i_attr_size": "size",
    "t2i_attr_position": "position",
    "t2i_attr_all": "all asked",
    "t2i_kind_colour": "colour words",
    "t2i_kind_shape": "shape words",
    "t2i_kind_size": "size words",
    "t2i_kind_position": "position words",
    "t2i_kind_filler": "other words",
    "t2i_generate": "Generate",
    "t2i_play": "▶ Play",
    "t2i_gif": "Denoising as an animated GIF",
    "t2i_sweep": "Compare guidance scales",
    "t2i_edit": "Denoise both",
    "t2i_encode": "Encode and decode",
    "t2i_judge": "Generate and judge",
    "t2i_image": "Draw or upload an image",
    "t2i_view_denoise": "Denoising",
    "t2i_view_attention": "Cross-attention",
    "t2i_view_guidance": "Guidance",
    "t2i_view_edit": "Prompt edit",
    "t2i_view_text": "Text encoder",
    "t2i_view_vae": "VAE",
    "t2i_view_judge": "Judge",
    "t2i_view_explain": "How it works",
    "t2i_step_view": "Show step",
    "t2i_attn_step_view": "Step (0 = all steps summed)",
    "t2i_guidance_step": "Step",
    # titles and notes composed on the server
    "t2i_denoise_title": "Step {step} of {total} (t = {t} → {after}): what the model expects the image to be",
    "t2i_x0": "x̂₀ decoded by the VAE",
    "t2i_latent": "latent z_t, t = {t} (4 channels)",
    "t2i_strip_axis": "x̂₀ at these steps: where the layout appears",
    "t2i_attn_title": "Where the image attends to each word ({when}, {layer}; padding tokens: {padding})",
    "t2i_attn_all_steps": "summed over all steps",
    "t2i_attn_step": "step {step} of {total}",
    "t2i_guidance_title": "Step {step} (t = {t}): ε̂ = ε_u + s (ε_c − ε_u) with s = {s}",
    "t2i_eps_u": "ε_u (empty prompt)",
    "t2i_eps_c": "ε_c (the prompt)",
    "t2i_eps_dir": "ε_c − ε_u (direction)",
    "t2i_eps_hat": "ε̂ (guided)",
    "t2i_x0_u": "x̂₀ from ε_u",
    "t2i_x0_c": "x̂₀ from ε_c",
    "t2i_x0_hat": "x̂₀ from ε̂",
    "t2i_sweep_title": "One seed at several guidance scales (✓ right, ✗ wrong, · not asked: colour, shape, size, position)",
    "t2i_edit_title": "x̂₀ of prompt A and prompt B from the same starting noise",
    "t2i_edit_step": "{prompt} · step {step}",
    "t2i_edit_diff": "|A − B| (final)",
    "t2i_tokens_title": "The text encoder's output: {n} tokens read (of {limit}), one row each (position, word, id)",
    "t2i_axis_dimension": "dimension of the text embedding",
    "t2i_words_title": "Word embeddings on their two main axes ({a} and {b} of the variance)",
    "t2i_words_marks": "● English · ◆ Chinese · ringed: in the prompt",
    "t2i_vae_title": "VAE: encode to the latent and decode back (PSNR {psnr} dB)",
    "t2i_vae_original": "the image<br>{n} numbers",
    "t2i_vae_latent": "its latent<br>{n} numbers",
    "t2i_vae_reconstruction": "decoded again",
    "t2i_vae_difference": "|difference|",
    "t2i_judge_title": "{n} images, judged (green: every asked attribute right)<br>{figures}",
    "t2i_read": "{size} {colour} {shape}, {position}",
    "t2i_read_nothing": "no shape",
    "t2i_note_summary": "{scheduler}, {steps} steps, guidance {s}: {calls} UNet evaluations (ε_u and ε_c at each "
                        "step), {seconds:.2f} s.",
    "t2i_note_reading": "**The judge reads:** {reading} · colour {colour} · shape {shape} · size {size} · position "
                        "{position}",
    "t2i_note_empty": "The prompt is empty: that is the **unconditional** image. ε_c = ε_u at every step, so the "
                      "guidance scale changes nothing.",
    "t2i_note_truncated": "The prompt is longer than the text encoder reads ({limit} tokens with `<start>` and `<end>`): "
                          "**cut off and not used:** “{dropped}”.",
    "t2i_note_unknown": "Not in this model's vocabulary (read as `<|unk|>`, the image ignores them): {words}.",
    "t2i_note_edit": "**A:** {a} → {reading_a} {marks_a}  \n**B:** {b} → {reading_b} {marks_b}  \nThe same z_T; the "
                     "largest pixel difference of the final images is {diff:.2f}.",
    "t2i_note_vae": "PSNR {psnr:.1f} dB. The judge reads the image as **{original}** and its reconstruction as "
                    "**{reconstruction}**.",
    "t2i_note_resized": "The image was {height}×{width} pixels and was resized to {size}×{size}.",
    "t2i_note_cost": "A {latent} latent holds {ratio:.0f}× fewer numbers than {pixels} pixels. One guided UNet call "
                     "(batch 2) measured now: **{latent_ms:.0f} ms** on the latent, **{pixel_ms:.0f} ms** for the same "
                     "UNet on pixels ({speedup:.1f}×).",
    "t2i_note_judge": "Prompt read as: {wanted}. Seeds {first} to {last}; {seconds:.1f} s.",
    "t2i_note_nothing_asked": "The prompt names no colour, shape, size or position the judge knows: it reads the "
                              "images but has nothing to compare them with.",
    "t2i_note_shapes_only": "The judge, the caption-word map, the batch judgement and the pixel-space UNet belong to "
                            "the bundled model's world of shapes: they do not apply to {model}.",
    "t2i_note_hub": "**{model}** is a real Stable Diffusion checkpoint, drawn here at {side}×{side} pixels (it "
                    "was trained at 512: a quarter of the pixels costs about a quarter and draws less detail).",
    "t2i_note_edit_plain": "**A:** {a}  \n**B:** {b}  \nThe same z_T; the largest pixel difference of the final "
                           "images is {diff:.2f}.",
    "t2i_note_vae_plain": "PSNR {psnr:.1f} dB.",
    "t2i_note_cost_latent": "A {latent} latent holds {ratio:.0f}× fewer numbers than {pixels} pixels. One guided UNet "
                            "call (batch 2) measured now: **{latent_ms:.0f} ms** on the latent. The same UNet on "
                            "pixels is not built for this model: its self-attention would span {positions:,} "
                            "positions, a {positions:,}² matrix per head ({gigabytes:.1f} GB in fp32).",
    "t2i_sweep_title_plain": "One seed at several guidance scales",
    "t2i_hub_md": "**Hub models are slow on a CPU.** SD-Turbo and SD 1.5 are drawn at 256×256 and take at most "
                  "8 steps. What one step costs was measured on one thread, as Generate runs, with each model's "
                  "architecture built from its published configuration (random weights, so nothing had to be "
                  "downloaded) on this project's 2-core machine while other work ran: one guided UNet call "
                  "(batch 2) **13–29 s**, one VAE decode of a 256×256 image **23–24 s**. Generate decodes x̂₀ at "
                  "every step, so N steps cost N UNet calls and N + 4 decodes: SD-Turbo's 2 steps about "
                  "**3 minutes**, SD 1.5's 8 steps about **7 minutes**; the guidance comparison and the prompt "
                  "edit repeat the loop. The bundled model draws the same views in under a second.",
    "t2i_err_no_record": "Nothing to show yet: press “Generate” first.",
    "t2i_err_no_generated": "There is no generated image yet: press “Generate” first, or pick another image to encode.",
    "t2i_err_no_image": "Image to encode: nothing was drawn or uploaded. Draw on the canvas, upload an image, or "
                        "pick a scene of the data set.",
    "t2i_err_image_shape": "Image to encode: an RGB or RGBA image is needed, got an array of shape {shape}.",
    "t2i_err_image_size": "Image to encode: {height}×{width} pixels; each side must be between {low} and {high} "
                          "pixels.",
    # explanation panels
    "t2i_denoise_md": r"""
**Latent diffusion** (Rombach et al., 2022). The VAE's encoder maps a $32\times32\times3$ image to an $8\times8\times4$ latent $z$, and the diffusion runs there:
$z_t = \sqrt{\bar\alpha_t}\,z_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$. At each step the UNet predicts $\hat\varepsilon$, which gives the model's guess of the clean latent
$\hat z_0 = (z_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon)/\sqrt{\bar\alpha_t}$, decoded here as $\hat x_0 = D(\hat z_0)$. Watch the first steps: the place of the shape is decided while the image is still mostly noise.
""",
    "t2i_attention_md": r"""
**Cross-attention.** Every image position asks every word: $\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\big(QK^\top/\sqrt{d}\big)\,V$ with
$Q = W_Q\,\phi(z_t)$ from the image features and $K = W_K\,\tau(y)$, $V = W_V\,\tau(y)$ from the words. Each row of the softmax sums to 1 over the words; a map shows one word's column,
averaged over heads, upsampled to the image and normalised to its own maximum (its share of all attention is under the word). Summed over steps this is DAAM (Tang et al., 2023).
""",
    "t2i_guidance_md": r"""
**Classifier-free guidance** (Ho & Salimans, 2022). The same UNet predicts the noise with the prompt, $\varepsilon_c = \varepsilon_\theta(z_t, t, \tau(y))$, and with the empty prompt,
$\varepsilon_u = \varepsilon_\theta(z_t, t, \tau(\varnothing))$ (it was trained with 10% empty captions), and the sampler uses
$\hat\varepsilon = \varepsilon_u + s\,(\varepsilon_c - \varepsilon_u)$: $s = 0$ ignores the prompt, $s = 1$ is the conditional model, $s > 1$ pushes along the direction $\varepsilon_c - \varepsilon_u$.
""",
    "t2i_edit_md": r"""
**Prompt edits.** Both prompts start from the same $z_T$ and use the same scheduler: only $\tau(y)$ differs. Early $\hat x_0$ columns show how much of the picture (the layout) is shared
before the changed word takes over.
""",
    "t2i_text_md": r"""
**The text encoder** (a small CLIP text transformer, Radford et al., 2021). The tokenizer cuts the prompt into known words (one token per word, Chinese cut longest-first),
framed by $\langle start\rangle$ and $\langle end\rangle$ and padded to 32; unknown words become $\langle unk\rangle$. The encoder turns the tokens into $\tau(y) \in \mathbb{R}^{32\times d}$:
the keys and values of every cross-attention layer. It learned only from the diffusion loss, so a word means what it does to the picture; the map shows whether “red” and “红色” ended up together.
""",
    "t2i_vae_md": r"""
**The VAE** (Kingma & Welling, 2014; Stable Diffusion's KL autoencoder). $E(x)$ gives a Gaussian over latents; its mean, times the scaling factor $1/\mathrm{std}$ of the training latents, is what
the UNet sees. $\mathrm{PSNR} = 10\log_{10}(1/\mathrm{MSE})$ for pixels in $[0, 1]$. Denoising in the latent costs less because the UNet works on $4\times4 = 16$ times fewer positions.
""",
    "t2i_judge_md": r"""
**The judge** reads an image back by geometry alone: the shape's colour (the nearest palette colour), its area and centroid, the closest of three templates (circle, square, triangle), the size
from the area and the position from the centroid's third of the image. It reads every one of 3,000 random scenes of the data set right, so a miss is the generator's.
""",
    "t2i_explain_md": r"""
**The pipeline** is Stable Diffusion's (Rombach et al., 2022), small: a tokenizer and a CLIP text encoder turn the prompt into $\tau(y)$; a UNet with cross-attention denoises an
$8\times8\times4$ latent for a number of steps; the VAE's decoder turns the latent into a $32\times32$ image. It loads with diffusers' `StableDiffusionPipeline.from_pretrained`, and this lab's
step-by-step loop gives the same image as the pipeline's own call.

**Training.** The VAE learned to encode every scene; then the text encoder and the UNet learned together on $L = \mathbb{E}\,\lVert\varepsilon - \varepsilon_\theta(z_t, t, \tau(y))\rVert^2$, from captions in English and Chinese,
10% of them empty (for guidance), 70% of the timesteps from the noisy end $t \ge 700$ (the layout is decided there). Three colour×shape pairs (red triangle, green square, blue circle)
were never shown to the text encoder or the UNet: asking for them tests whether the model composes words it never saw together.

**Sampling.** $z_T \sim \mathcal{N}(0, I)$; at each step $\hat\varepsilon = \varepsilon_u + s\,(\varepsilon_c - \varepsilon_u)$, and the scheduler moves $z_t$ towards $\hat z_0$ (DDIM: $z_{t'} = \sqrt{\bar\alpha_{t'}}\,\hat z_0 + \sqrt{1-\bar\alpha_{t'}}\,\hat\varepsilon$).

**Cross-attention** $\mathrm{softmax}(QK^\top/\sqrt d)\,V$, $Q$ from the image, $K, V$ from the words: the only place where the words enter the UNet.

**No safety checker.** The model can only draw one coloured shape on grey; there is nothing for a safety checker to catch.
""",
}

ZH = {
    "t2i_tab": "文生图",
    "t2i_intro": "提示词如何一个词一个词、一步一步地引导潜空间扩散模型？输入提示词，按“生成”，看看里面发生了什么。",
    "t2i_prompt": "提示词",
    "t2i_edited_prompt": "修改后的提示词（改一个词）",
    "t2i_scheduler": "调度器",
    "t2i_sched_ddim": "DDIM",
    "t2i_sched_ddpm": "DDPM",
    "t2i_sched_dpmpp": "DPM-Solver++",
    "t2i_sched_euler": "Euler",
    "t2i_sched_euler_a": "Euler ancestral",
    "t2i_steps": "去噪步数",
    "t2i_guidance": "引导强度 s",
    "t2i_guidance_info": "0 忽略提示词，1 是普通的条件模型；3 最适合这个模型（管线的默认值是 7.5）",
    "t2i_count": "要评判的图像数",
    "t2i_step": "步",
    "t2i_layer": "交叉注意力层",
    "t2i_layer_mean": "所有层的平均",
    "t2i_vae_source": "要编码的图像",
    "t2i_vae_source_scene": "数据集中的一个场景",
    "t2i_vae_source_generated": "最近生成的图像",
    "t2i_vae_source_image": "手绘或上传",
    "t2i_colour": "颜色",
    "t2i_shape": "形状",
    "t2i_size": "大小",
    "t2i_position": "位置",
    "t2i_scene_seed": "场景种子（微小偏移）",
    **{f"t2i_colour_{c}": z for c, z in _ZH_COLOURS.items()},
    **{f"t2i_shape_{s}": z for s, z in _ZH_SHAPES.items()},
    **{f"t2i_size_{s}": z for s, z in _ZH_SIZES.items()},
    **{f"t2i_position_{p}": z for p, z in _ZH_POSITIONS.items()},
    "t2i_attr_colour": "颜色",
    "t2i_attr_shape": "形状",
    "t2i_attr_size": "大小",
    "t2i_attr_position": "位置",
    "t2i_attr_all": "全部要求",
    "t2i_kind_colour": "颜色词",
    "t2i_kind_shape": "形状词",
    "t2i_kind_size": "大小词",
    "t2i_kind_position": "位置词",
    "t2i_kind_filler": "其他词",
    "t2i_generate": "生成",
    "t2i_play": "▶ 播放",
    "t2i_gif": "去噪过程动画（GIF）",
    "t2i_sweep": "比较不同引导强度",
    "t2i_edit": "两个都去噪",
    "t2i_encode": "编码再解码",
    "t2i_judge": "生成并评判",
    "t2i_image": "画一张图或上传图像",
    "t2i_view_denoise": "去噪",
    "t2i_view_attention": "交叉注意力",
    "t2i_view_guidance": "引导",
    "t2i_view_edit": "修改提示词",
    "t2i_view_text": "文本编码器",
    "t2i_view_vae": "VAE",
    "t2i_view_judge": "评判",
    "t2i_view_explain": "原理",
    "t2i_step_view": "显示第几步",
    "t2i_attn_step_view": "步（0 = 所有步之和）",
    "t2i_guidance_step": "步",
    "t2i_denoise_title": "第 {step} 步，共 {total} 步（t = {t} → {after}）：模型预计的图像",
    "t2i_x0": "VAE 解码的 x̂₀",
    "t2i_latent": "潜变量 z_t，t = {t}（4 个通道）",
    "t2i_strip_axis": "这些步的 x̂₀：布局在哪一步出现",
    "t2i_attn_title": "图像各位置对每个词的注意力（{when}，{layer}；填充词元：{padding}）",
    "t2i_attn_all_steps": "所有步之和",
    "t2i_attn_step": "第 {step} 步，共 {total} 步",
    "t2i_guidance_title": "第 {step} 步（t = {t}）：ε̂ = ε_u + s (ε_c − ε_u)，s = {s}",
    "t2i_eps_u": "ε_u（空提示词）",
    "t2i_eps_c": "ε_c（提示词）",
    "t2i_eps_dir": "ε_c − ε_u（方向）",
    "t2i_eps_hat": "ε̂（引导后）",
    "t2i_x0_u": "由 ε_u 得到的 x̂₀",
    "t2i_x0_c": "由 ε_c 得到的 x̂₀",
    "t2i_x0_hat": "由 ε̂ 得到的 x̂₀",
    "t2i_sweep_title": "同一种子、不同引导强度（✓ 对，✗ 错，· 未要求：颜色、形状、大小、位置）",
    "t2i_edit_title": "同一初始噪声下，提示词 A 与提示词 B 的 x̂₀",
    "t2i_edit_step": "{prompt} · 第 {step} 步",
    "t2i_edit_diff": "|A − B|（最终）",
    "t2i_tokens_title": "文本编码器的输出：读入 {n} 个词元（上限 {limit}），每行一个（位置、词、编号）",
    "t2i_axis_dimension": "文本嵌入的维度",
    "t2i_words_title": "词嵌入在两个主轴上的位置（分别占方差的 {a} 和 {b}）",
    "t2i_words_marks": "● 英文 · ◆ 中文 · 带圈：在提示中",
    "t2i_vae_title": "VAE：编码到潜空间再解码回来（PSNR {psnr} dB）",
    "t2i_vae_original": "图像<br>{n} 个数",
    "t2i_vae_latent": "潜变量<br>{n} 个数",
    "t2i_vae_reconstruction": "再解码",
    "t2i_vae_difference": "|差|",
    "t2i_judge_title": "{n} 张图像的评判（绿色：要求的属性全部正确）<br>{figures}",
    "t2i_read": "{size}的{colour}{shape}，{position}",
    "t2i_read_nothing": "没有图形",
    "t2i_note_summary": "{scheduler}，{steps} 步，引导强度 {s}：UNet 计算 {calls} 次（每步 ε_u 和 ε_c），{seconds:.2f} 秒。",
    "t2i_note_reading": "**评判程序读到：**{reading} · 颜色 {colour} · 形状 {shape} · 大小 {size} · 位置 {position}",
    "t2i_note_empty": "提示词为空：这就是**无条件**图像。每一步 ε_c = ε_u，所以引导强度不起作用。",
    "t2i_note_truncated": "提示词超出了文本编码器能读的长度（含 `<start>` 和 `<end>` 共 {limit} 个词元）："
                          "**被截掉、没有使用的部分：**“{dropped}”。",
    "t2i_note_unknown": "不在本模型词表中的词（读作 `<|unk|>`，图像会忽略它们）：{words}。",
    "t2i_note_edit": "**A：**{a} → {reading_a} {marks_a}  \n**B：**{b} → {reading_b} {marks_b}  \n初始噪声 z_T 相同；"
                     "两张最终图像的最大像素差为 {diff:.2f}。",
    "t2i_note_vae": "PSNR {psnr:.1f} dB。评判程序把原图读作 **{original}**，把重建图读作 **{reconstruction}**。",
    "t2i_note_resized": "图像原为 {height}×{width} 像素，已缩放到 {size}×{size}。",
    "t2i_note_cost": "{latent} 的潜变量比 {pixels} 的像素少 {ratio:.0f} 倍的数。刚刚测得的一次带引导的 UNet 计算（批大小 2）："
                     "潜空间 **{latent_ms:.0f} 毫秒**，同样的 UNet 直接在像素上 **{pixel_ms:.0f} 毫秒**（{speedup:.1f} 倍）。",
    "t2i_note_judge": "提示词被读作：{wanted}。种子 {first} 到 {last}；{seconds:.1f} 秒。",
    "t2i_note_nothing_asked": "提示词没有提到评判程序认识的颜色、形状、大小或位置：它会读图，但没有可比较的要求。",
    "t2i_note_shapes_only": "评判程序、说明词地图、批量评判和像素空间 UNet 属于内置模型的形状世界：它们不适用于 {model}。",
    "t2i_note_hub": "**{model}** 是真正的 Stable Diffusion 检查点，这里以 {side}×{side} 像素绘制（它在 512 上训练："
                    "四分之一的像素大约只需四分之一的计算，细节也更少）。",
    "t2i_note_edit_plain": "**A：**{a}  \n**B：**{b}  \n初始噪声 z_T 相同；两张最终图像的最大像素差为 {diff:.2f}。",
    "t2i_note_vae_plain": "PSNR {psnr:.1f} dB。",
    "t2i_note_cost_latent": "{latent} 的潜变量比 {pixels} 的像素少 {ratio:.0f} 倍的数。刚刚测得的一次带引导的 UNet 计算"
                            "（批大小 2）：潜变量上 **{latent_ms:.0f} 毫秒**。本模型不构建像素上的同一个 UNet：它的自注意力"
                            "要覆盖 {positions:,} 个位置，每个头一个 {positions:,}² 的矩阵（fp32 下 {gigabytes:.1f} GB）。",
    "t2i_sweep_title_plain": "同一种子、不同引导强度",
    "t2i_hub_md": "**Hub 模型在 CPU 上很慢。** SD-Turbo 和 SD 1.5 以 256×256 绘制，最多 8 步。每一步的代价是在单线程上"
                  "测得的（“生成”就是这样运行的）：按各模型公开的配置搭建同样的结构（随机权重，因此无需下载），在本项目"
                  "的双核机器上、同时有其他任务运行时测量：一次带引导的 UNet 计算（批大小 2）**13–29 秒**，把一张 "
                  "256×256 图像用 VAE 解码一次 **23–24 秒**。“生成”在每一步都解码 x̂₀，所以 N 步需要 N 次 UNet 计算和 "
                  "N + 4 次解码：SD-Turbo 的 2 步约 **3 分钟**，SD 1.5 的 8 步约 **7 分钟**；引导强度对比和提示词编辑"
                  "会把整个循环再跑几遍。内置模型画出同样的视图不到一秒。",
    "t2i_err_no_record": "还没有可显示的内容：请先按“生成”。",
    "t2i_err_no_generated": "还没有生成的图像：请先按“生成”，或选择另一种要编码的图像。",
    "t2i_err_no_image": "要编码的图像：什么也没有画，也没有上传。请在画布上画、上传一张图像，或选择数据集中的一个场景。",
    "t2i_err_image_shape": "要编码的图像：需要 RGB 或 RGBA 图像，收到的数组形状为 {shape}。",
    "t2i_err_image_size": "要编码的图像：{height}×{width} 像素；每条边必须在 {low} 到 {high} 像素之间。",
    "t2i_denoise_md": r"""
**潜空间扩散**（Rombach 等，2022）。VAE 的编码器把 $32\times32\times3$ 的图像映射为 $8\times8\times4$ 的潜变量 $z$，扩散就在那里进行：
$z_t = \sqrt{\bar\alpha_t}\,z_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$。每一步 UNet 预测 $\hat\varepsilon$，由它得到模型对干净潜变量的猜测
$\hat z_0 = (z_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon)/\sqrt{\bar\alpha_t}$，这里解码为 $\hat x_0 = D(\hat z_0)$。注意最初几步：图形的位置是在图像几乎还全是噪声时决定的。
""",
    "t2i_attention_md": r"""
**交叉注意力。** 图像的每个位置都向每个词发问：$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\big(QK^\top/\sqrt{d}\big)\,V$，其中
$Q = W_Q\,\phi(z_t)$ 来自图像特征，$K = W_K\,\tau(y)$、$V = W_V\,\tau(y)$ 来自词。softmax 的每一行在所有词上之和为 1；每张图显示一个词的那一列，
对各注意力头取平均，放大到图像尺寸，并按自身最大值归一化（词下面是它占全部注意力的份额）。对所有步求和就是 DAAM（Tang 等，2023）。
""",
    "t2i_guidance_md": r"""
**无分类器引导**（Ho 与 Salimans，2022）。同一个 UNet 既在有提示词时预测噪声 $\varepsilon_c = \varepsilon_\theta(z_t, t, \tau(y))$，也在空提示词时预测
$\varepsilon_u = \varepsilon_\theta(z_t, t, \tau(\varnothing))$（训练时 10% 的描述为空），采样器使用
$\hat\varepsilon = \varepsilon_u + s\,(\varepsilon_c - \varepsilon_u)$：$s = 0$ 忽略提示词，$s = 1$ 是条件模型，$s > 1$ 沿 $\varepsilon_c - \varepsilon_u$ 的方向推得更远。
""",
    "t2i_edit_md": r"""
**修改提示词。** 两个提示词从同一个 $z_T$ 出发、使用同一个调度器：只有 $\tau(y)$ 不同。前几列的 $\hat x_0$ 显示在被改的词起作用之前，画面（布局）有多少是共同的。
""",
    "t2i_text_md": r"""
**文本编码器**（一个小型 CLIP 文本 Transformer，Radford 等，2021）。分词器把提示词切成已知的词（每个词一个词元，中文按最长匹配切分），
前后加上 $\langle start\rangle$ 和 $\langle end\rangle$，补齐到 32 个；不认识的词变成 $\langle unk\rangle$。编码器把词元变成 $\tau(y) \in \mathbb{R}^{32\times d}$：
也就是每个交叉注意力层的键和值。它只从扩散损失中学习，所以一个词的含义就是它对画面的作用；这张图显示 “red” 和 “红色” 是否靠在一起。
""",
    "t2i_vae_md": r"""
**VAE**（Kingma 与 Welling，2014；Stable Diffusion 的 KL 自编码器）。$E(x)$ 给出潜变量上的高斯分布；它的均值乘以缩放因子（训练潜变量标准差的倒数）就是 UNet 看到的输入。
像素在 $[0, 1]$ 时 $\mathrm{PSNR} = 10\log_{10}(1/\mathrm{MSE})$。在潜空间去噪更省，因为 UNet 处理的位置少了 $4\times4 = 16$ 倍。
""",
    "t2i_judge_md": r"""
**评判程序**只靠几何把图像读回来：图形的颜色（最近的调色板颜色）、面积和重心、三个模板（圆形、正方形、三角形）中最接近的一个、由面积得到大小、由重心所在的三分之一区域得到位置。
它能把数据集中随机抽取的 3,000 个场景全部读对，所以读错就是生成模型的错。
""",
    "t2i_explain_md": r"""
**管线**就是 Stable Diffusion 的结构（Rombach 等，2022），只是很小：分词器和 CLIP 文本编码器把提示词变成 $\tau(y)$；带交叉注意力的 UNet 对
$8\times8\times4$ 的潜变量去噪若干步；VAE 的解码器把潜变量变成 $32\times32$ 的图像。它可以用 diffusers 的 `StableDiffusionPipeline.from_pretrained` 加载，
本实验的逐步循环与管线自身的调用得到相同的图像。

**训练。** 先让 VAE 学会编码所有场景；然后文本编码器和 UNet 一起按 $L = \mathbb{E}\,\lVert\varepsilon - \varepsilon_\theta(z_t, t, \tau(y))\rVert^2$ 学习，描述有中文也有英文，
其中 10% 为空（用于引导），70% 的时间步取自噪声大的一端 $t \ge 700$（布局在那里决定）。有三种颜色×形状组合（红色三角形、绿色正方形、蓝色圆形）
从未给文本编码器和 UNet 看过：要求画它们，就是检验模型能否组合从未一起见过的词。

**采样。** $z_T \sim \mathcal{N}(0, I)$；每一步 $\hat\varepsilon = \varepsilon_u + s\,(\varepsilon_c - \varepsilon_u)$，调度器把 $z_t$ 推向 $\hat z_0$（DDIM：$z_{t'} = \sqrt{\bar\alpha_{t'}}\,\hat z_0 + \sqrt{1-\bar\alpha_{t'}}\,\hat\varepsilon$）。

**交叉注意力** $\mathrm{softmax}(QK^\top/\sqrt d)\,V$，$Q$ 来自图像，$K, V$ 来自词：这是词进入 UNet 的唯一入口。

**没有安全检查器。** 这个模型只会在灰色背景上画一个彩色图形，没有什么需要安全检查器拦截的内容。
""",
}
