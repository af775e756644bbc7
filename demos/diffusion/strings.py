"""Diffusion lab strings, English and Simplified Chinese (same keys in both)."""

EN = {
    "dif_explain_md": r"""
**Forward process** (Ho et al., 2020). Noise is added in $T$ small Gaussian steps with variances $\beta_1, \dots, \beta_T$:
$$q(x_t \mid x_{t-1}) = \mathcal{N}\!\left(x_t;\ \sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I\right).$$
With $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s=1}^{t} \alpha_s$ the steps compose into one jump from the clean image:
$$q(x_t \mid x_0) = \mathcal{N}\!\left(x_t;\ \sqrt{\bar\alpha_t}\,x_0,\ (1-\bar\alpha_t) I\right), \qquad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I).$$
The signal-to-noise ratio $\mathrm{SNR}(t) = \bar\alpha_t / (1-\bar\alpha_t)$ falls from very large to almost 0; the schedule decides how fast.

**Training objective.** A network $\varepsilon_\theta$ learns to recognise the noise in $x_t$:
$$L_{\text{simple}} = \mathbb{E}_{x_0,\,t,\,\varepsilon}\,\big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ t\big)\big\rVert^2 .$$

**Reverse process.** From the predicted noise, the clean image is estimated as
$$\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\varepsilon_\theta(x_t, t)}{\sqrt{\bar\alpha_t}},$$
and DDPM samples $x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\varepsilon_\theta(x_t,t)\Big) + \sigma_t z$, $z \sim \mathcal{N}(0, I)$.
DDIM (Song et al., 2021) jumps over steps with $x_{t-1} = \sqrt{\bar\alpha_{t-1}}\,\hat x_0 + \sqrt{1-\bar\alpha_{t-1}-\sigma_t^2}\,\varepsilon_\theta + \sigma_t z$, where $\sigma_t$ is scaled by $\eta$: **$\eta = 0$ adds no noise, so the same $x_T$ always gives the same image.**
DPM-Solver++ (Lu et al., 2022) and Euler (Karras et al., 2022) solve the same process as an ODE with fewer, larger steps; Euler ancestral adds fresh noise at each step like DDPM.

**Classifier-free guidance** (Ho & Salimans, 2022). One network predicts noise with the class $c$ and without it (class id 10 = "no class"):
$$\tilde\varepsilon = \varepsilon_\theta(x_t, t, \varnothing) + w\,\big(\varepsilon_\theta(x_t, t, c) - \varepsilon_\theta(x_t, t, \varnothing)\big).$$
$w = 0$ ignores the class, $w = 1$ is the plain conditional model, $w > 1$ exaggerates what makes the image look like class $c$.

**Score view** (Song et al., 2021). $\nabla_x \log p_t(x) \approx -\varepsilon_\theta(x, t) / \sqrt{1-\bar\alpha_t}$: the arrows in the 2D view point towards where data is more likely.
""",
    "dif_fwd_formula_md": r"""
$q(x_t \mid x_{t-1}) = \mathcal{N}(\sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I)$ and in closed form
$x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$ with $\bar\alpha_t = \prod_{s \le t}(1-\beta_s)$, $\varepsilon \sim \mathcal{N}(0, I)$.
""",
    "dif_tab": "Diffusion",
    "dif_intro": "How does noise become an image? Watch a real diffusion model denoise digits step by step, add "
                 "noise by hand, compare schedulers, and train a 2D model live.",
    "dif_reverse": "Reverse process",
    "dif_forward": "Forward process",
    "dif_compare": "Compare schedulers",
    "dif_2d": "2D diffusion, trained live",
    "dif_explain": "How it works",
    "dif_scheduler": "Scheduler",
    "dif_sched_ddpm": "DDPM",
    "dif_sched_ddim": "DDIM",
    "dif_sched_dpmpp": "DPM-Solver++",
    "dif_sched_euler": "Euler",
    "dif_sched_euler_a": "Euler ancestral",
    "dif_steps": "Denoising steps",
    "dif_images": "Images",
    "dif_digit": "Digit",
    "dif_digit_any": "any digit",
    **{f"dif_digit_{d}": str(d) for d in range(10)},
    "dif_index": "Digit number in the data set",
    "dif_guidance": "Guidance scale w",
    "dif_guidance_info": "0 ignores the digit, 1 is the plain conditional model, higher pushes harder.",
    "dif_eta": "DDIM η",
    "dif_eta_info": "Only DDIM: 0 adds no noise (deterministic), 1 adds as much as DDPM.",
    "dif_sample": "Denoise",
    "dif_step_view": "Show step",
    "dif_play": "▶ Play",
    "dif_pause": "Pause",
    "dif_xt": "x_t (the sample now)",
    "dif_x0": "x̂₀ (the model's guess of the clean image)",
    "dif_gif": "Trajectory as an animated GIF",
    "dif_note_summary": "{scheduler}, {steps} steps, {calls} UNet evaluations per image, {seconds:.2f} s.",
    "dif_note_any": "“Any digit” samples unconditionally, so the guidance scale is not used.",
    "dif_note_unconditional": "This model has no classes: digit and guidance are not used.",
    "dif_note_classifier": "The digit classifier reads: {reading}.",
    "dif_note_step": "Step {step} of {total}: x̂₀ predicted at t = {t}, x_t now at t = {after}",
    "dif_note_running": "Step {step} of {total}, denoising…",
    "dif_fwd_source": "Image",
    "dif_src_digit": "a digit, by class",
    "dif_src_index": "a digit, by number",
    "dif_src_photo": "a photo",
    "dif_photo": "Photo",
    "dif_photo_china": "Chinese temple (scikit-learn sample)",
    "dif_photo_flower": "Flower (scikit-learn sample)",
    "dif_schedule": "Noise schedule",
    "dif_schedule_linear": "linear",
    "dif_schedule_scaled_linear": "scaled linear",
    "dif_schedule_cosine": "cosine",
    "dif_t": "Timestep t",
    "dif_fwd_x0": "x₀ (clean)",
    "dif_fwd_xt": "x_t",
    "dif_fwd_caption": "t = {t}: ᾱ_t = {alpha_bar:.4f}, signal weight √ᾱ_t = {signal:.3f}, noise weight √(1−ᾱ_t) = {noise:.3f}, SNR = {snr:.3g}.",
    "dif_plot_beta": "β_t: noise added at step t",
    "dif_plot_alpha_bar": "ᾱ_t: signal kept",
    "dif_plot_snr": "signal-to-noise ratio",
    "dif_schedules_title": "Noise schedules (dotted: the chosen t)",
    "dif_strip_title": "Same image, same ε, growing t",
    "dif_time_grid_title": "x_t and x̂₀ over the denoising steps",
    "dif_axis_timestep": "each step t → t′:<br>x̂₀ predicted at t,<br>x_t after the step, at t′",
    "dif_axis_step": "step",
    "dif_curves_title": "What changes from step to step",
    "dif_curve_std": "pixel std<br>of x_t",
    "dif_curve_distance": "RMS distance of x̂₀<br>to the final image",
    "dif_cmp_schedulers": "Schedulers to compare (2–4)",
    "dif_cmp_steps": "Steps for each scheduler",
    "dif_cmp_run": "Compare",
    "dif_cmp_running": "Comparing… {done} of {total} denoising steps done.",
    "dif_compare_title": "The same starting noise through each scheduler",
    "dif_panel_title": "{scheduler}<br>{steps} steps<br>{calls} evaluations<br>{seconds:.2f} s",
    "dif_note_determinism": "From the same x_T with different per-step noise, the final images differ by at most "
                            "**{ddim:.2g}** with DDIM (η = 0) and **{ddpm:.2g}** with DDPM: DDIM with η = 0 is deterministic.",
    "dif_2d_dataset": "Data",
    "dif_ds_swiss_roll": "swiss roll",
    "dif_ds_moons": "two moons",
    "dif_ds_eight_gaussians": "8 Gaussians",
    "dif_ds_checkerboard": "checkerboard",
    "dif_ds_sketch": "my drawing",
    "dif_2d_sketch": "Draw a shape (used when the data is “my drawing”)",
    "dif_train_steps": "Training steps",
    "dif_2d_sample": "Sample 1,000 particles",
    "dif_2d_sampler": "Sampler",
    "dif_2d_sampler_ddim": "DDIM, η = 0 (smooth paths)",
    "dif_2d_sampler_ddpm": "DDPM (fresh noise each step)",
    "dif_2d_step": "Denoising step",
    "dif_2d_show_field": "Show the learned score field",
    "dif_2d_show_paths": "Show the paths of 40 particles",
    "dif_loss_title": "Training loss L_simple<br>step {step} of {total}",
    "dif_loss_raw": "per batch",
    "dif_loss_smooth": "mean of 50",
    "dif_axis_train_step": "training step",
    "dif_2d_data": "training data",
    "dif_2d_field": "score −ε_θ/√(1−ᾱ_t)",
    "dif_2d_paths": "paths",
    "dif_2d_particles": "particles",
    "dif_2d_title": "1,000 particles at step {step} of {total} ({when})",
    "dif_2d_title_data": "Training data (particles appear when the run rests: done, paused, stepped or sampled)",
    "dif_2d_status": "Training step {step} · {note}",
    "dif_2d_status_loss": "Loss L_simple, mean of the last {n} steps: {loss:.3f}.",
    "dif_2d_status_sampling": "Sampling 1,000 particles from the model of step {step}…",
    "dif_2d_status_sampled": "1,000 particles sampled with {sampler} from the model of step {step}: "
                             "move the denoising-step slider to watch them denoise.",
    "dif_2d_note_sampled": "sampled again",
    "dif_err_scheduler": "Unknown scheduler '{value}'. Choose one of: {allowed}.",
    "dif_err_schedule": "Unknown noise schedule '{value}'. Choose one of: {allowed}.",
    "dif_err_image": "Unknown image '{value}'. Choose one of: {allowed}.",
    "dif_err_dataset": "Unknown data set '{value}'. Choose one of: {allowed}.",
    "dif_err_sketch_empty": "The drawing is empty: draw a shape on the sketch pad first, or pick another data set.",
    "dif_err_compare_count": "Pick between {low} and {high} schedulers to compare, not {count}.",
    "dif_err_no_run": "Nothing to show yet: press “Denoise” first.",
    "dif_err_no_2d": "Nothing to show yet: train the 2D model first.",
    "dif_err_unstable": "{scheduler} became numerically unstable at step {step} (the sample is no longer a number). "
                        "Try more steps or another scheduler.",
}

ZH = {
    "dif_explain_md": r"""
**前向过程**（Ho 等，2020）。噪声分 $T$ 个小的高斯步骤加入，方差为 $\beta_1, \dots, \beta_T$：
$$q(x_t \mid x_{t-1}) = \mathcal{N}\!\left(x_t;\ \sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I\right).$$
令 $\alpha_t = 1 - \beta_t$，$\bar\alpha_t = \prod_{s=1}^{t} \alpha_s$，这些步骤可以合成从干净图像出发的一步跳跃：
$$q(x_t \mid x_0) = \mathcal{N}\!\left(x_t;\ \sqrt{\bar\alpha_t}\,x_0,\ (1-\bar\alpha_t) I\right), \qquad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I).$$
信噪比 $\mathrm{SNR}(t) = \bar\alpha_t / (1-\bar\alpha_t)$ 从极大降到接近 0；噪声调度决定下降的快慢。

**训练目标。** 网络 $\varepsilon_\theta$ 学习识别 $x_t$ 中的噪声：
$$L_{\text{simple}} = \mathbb{E}_{x_0,\,t,\,\varepsilon}\,\big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ t\big)\big\rVert^2 .$$

**反向过程。** 由预测的噪声可以估计干净图像：
$$\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\varepsilon_\theta(x_t, t)}{\sqrt{\bar\alpha_t}},$$
DDPM 采样 $x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\varepsilon_\theta(x_t,t)\Big) + \sigma_t z$，$z \sim \mathcal{N}(0, I)$。
DDIM（Song 等，2021）跨步采样：$x_{t-1} = \sqrt{\bar\alpha_{t-1}}\,\hat x_0 + \sqrt{1-\bar\alpha_{t-1}-\sigma_t^2}\,\varepsilon_\theta + \sigma_t z$，其中 $\sigma_t$ 由 $\eta$ 缩放：**$\eta = 0$ 时不加噪声，同一个 $x_T$ 总是得到同一张图。**
DPM-Solver++（Lu 等，2022）和 Euler（Karras 等，2022）把同一过程当作常微分方程，用更少、更大的步求解；Euler ancestral 像 DDPM 一样每步加入新噪声。

**无分类器引导**（Ho & Salimans，2022）。同一个网络分别在有类别 $c$ 和无类别（类别编号 10 =“无类别”）时预测噪声：
$$\tilde\varepsilon = \varepsilon_\theta(x_t, t, \varnothing) + w\,\big(\varepsilon_\theta(x_t, t, c) - \varepsilon_\theta(x_t, t, \varnothing)\big).$$
$w = 0$ 忽略类别，$w = 1$ 即普通的条件模型，$w > 1$ 会放大使图像像类别 $c$ 的特征。

**得分视角**（Song 等，2021）。$\nabla_x \log p_t(x) \approx -\varepsilon_\theta(x, t) / \sqrt{1-\bar\alpha_t}$：二维视图中的箭头指向数据更可能出现的地方。
""",
    "dif_fwd_formula_md": r"""
$q(x_t \mid x_{t-1}) = \mathcal{N}(\sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I)$，闭式为
$x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$，其中 $\bar\alpha_t = \prod_{s \le t}(1-\beta_s)$，$\varepsilon \sim \mathcal{N}(0, I)$。
""",
    "dif_tab": "扩散模型",
    "dif_intro": "噪声是如何变成图像的？看真实的扩散模型一步步给数字去噪，亲手加噪声，比较调度器，并现场训练一个二维模型。",
    "dif_reverse": "反向过程",
    "dif_forward": "前向过程",
    "dif_compare": "比较调度器",
    "dif_2d": "二维扩散（现场训练）",
    "dif_explain": "原理",
    "dif_scheduler": "调度器",
    "dif_sched_ddpm": "DDPM",
    "dif_sched_ddim": "DDIM",
    "dif_sched_dpmpp": "DPM-Solver++",
    "dif_sched_euler": "Euler",
    "dif_sched_euler_a": "Euler ancestral",
    "dif_steps": "去噪步数",
    "dif_images": "图像数量",
    "dif_digit": "数字",
    "dif_digit_any": "任意数字",
    **{f"dif_digit_{d}": str(d) for d in range(10)},
    "dif_index": "数据集中的数字编号",
    "dif_guidance": "引导强度 w",
    "dif_guidance_info": "0 忽略数字，1 为普通条件模型，越大推动越强。",
    "dif_eta": "DDIM η",
    "dif_eta_info": "仅用于 DDIM：0 不加噪声（确定性），1 与 DDPM 加的噪声一样多。",
    "dif_sample": "去噪",
    "dif_step_view": "显示步骤",
    "dif_play": "▶ 播放",
    "dif_pause": "暂停",
    "dif_xt": "x_t（当前样本）",
    "dif_x0": "x̂₀（模型对干净图像的猜测）",
    "dif_gif": "轨迹动画 GIF",
    "dif_note_summary": "{scheduler}，{steps} 步，每张图像调用 UNet {calls} 次，{seconds:.2f} 秒。",
    "dif_note_any": "“任意数字”为无条件采样，因此不使用引导强度。",
    "dif_note_unconditional": "该模型没有类别：不使用数字和引导强度。",
    "dif_note_classifier": "数字分类器的识别结果：{reading}。",
    "dif_note_step": "第 {step} 步，共 {total} 步：x̂₀ 在 t = {t} 时预测，x_t 现在处于 t = {after}",
    "dif_note_running": "第 {step} 步，共 {total} 步，正在去噪…",
    "dif_fwd_source": "图像",
    "dif_src_digit": "按类别选数字",
    "dif_src_index": "按编号选数字",
    "dif_src_photo": "照片",
    "dif_photo": "照片",
    "dif_photo_china": "中国寺庙（scikit-learn 示例图）",
    "dif_photo_flower": "花（scikit-learn 示例图）",
    "dif_schedule": "噪声调度",
    "dif_schedule_linear": "线性",
    "dif_schedule_scaled_linear": "缩放线性",
    "dif_schedule_cosine": "余弦",
    "dif_t": "时间步 t",
    "dif_fwd_x0": "x₀（干净图像）",
    "dif_fwd_xt": "x_t",
    "dif_fwd_caption": "t = {t}：ᾱ_t = {alpha_bar:.4f}，信号权重 √ᾱ_t = {signal:.3f}，噪声权重 √(1−ᾱ_t) = {noise:.3f}，信噪比 = {snr:.3g}。",
    "dif_plot_beta": "β_t：第 t 步加入的噪声",
    "dif_plot_alpha_bar": "ᾱ_t：保留的信号",
    "dif_plot_snr": "信噪比",
    "dif_schedules_title": "噪声调度（虚线：所选的 t）",
    "dif_strip_title": "同一图像、同一 ε，t 逐渐增大",
    "dif_time_grid_title": "去噪过程中的 x_t 与 x̂₀",
    "dif_axis_timestep": "步骤 t → t′：<br>x̂₀ 在 t 时预测，<br>x_t 为该步之后，处于 t′",
    "dif_axis_step": "步骤",
    "dif_curves_title": "每一步发生了什么变化",
    "dif_curve_std": "x_t 的<br>像素标准差",
    "dif_curve_distance": "x̂₀ 与最终图像的<br>均方根距离",
    "dif_cmp_schedulers": "要比较的调度器（2–4 个）",
    "dif_cmp_steps": "每个调度器的步数",
    "dif_cmp_run": "比较",
    "dif_cmp_running": "比较中… 已完成 {done}/{total} 个去噪步骤。",
    "dif_compare_title": "同一份初始噪声经过各个调度器",
    "dif_panel_title": "{scheduler}<br>{steps} 步<br>{calls} 次调用<br>{seconds:.2f} 秒",
    "dif_note_determinism": "从同一个 x_T 出发、每步噪声不同时，最终图像的最大差异：DDIM（η = 0）为 **{ddim:.2g}**，"
                            "DDPM 为 **{ddpm:.2g}**：η = 0 的 DDIM 是确定性的。",
    "dif_2d_dataset": "数据",
    "dif_ds_swiss_roll": "瑞士卷",
    "dif_ds_moons": "双月牙",
    "dif_ds_eight_gaussians": "8 个高斯",
    "dif_ds_checkerboard": "棋盘格",
    "dif_ds_sketch": "我画的图",
    "dif_2d_sketch": "画一个形状（数据选“我画的图”时使用）",
    "dif_train_steps": "训练步数",
    "dif_2d_sample": "采样 1,000 个粒子",
    "dif_2d_sampler": "采样器",
    "dif_2d_sampler_ddim": "DDIM，η = 0（平滑轨迹）",
    "dif_2d_sampler_ddpm": "DDPM（每步加入新噪声）",
    "dif_2d_step": "去噪步骤",
    "dif_2d_show_field": "显示学到的得分场",
    "dif_2d_show_paths": "显示 40 个粒子的轨迹",
    "dif_loss_title": "训练损失 L_simple<br>第 {step} 步，共 {total} 步",
    "dif_loss_raw": "每批",
    "dif_loss_smooth": "50 步平均",
    "dif_axis_train_step": "训练步",
    "dif_2d_data": "训练数据",
    "dif_2d_field": "得分 −ε_θ/√(1−ᾱ_t)",
    "dif_2d_paths": "轨迹",
    "dif_2d_particles": "粒子",
    "dif_2d_title": "1,000 个粒子，第 {step} 步，共 {total} 步（{when}）",
    "dif_2d_title_data": "训练数据（训练停下时出现粒子：完成、暂停、单步或采样）",
    "dif_2d_status": "训练步 {step} · {note}",
    "dif_2d_status_loss": "损失 L_simple，最近 {n} 步平均：{loss:.3f}。",
    "dif_2d_status_sampling": "正在从第 {step} 步的模型采样 1,000 个粒子……",
    "dif_2d_status_sampled": "已用 {sampler} 从第 {step} 步的模型采样 1,000 个粒子：拖动去噪步骤滑块，观察它们去噪。",
    "dif_2d_note_sampled": "已重新采样",
    "dif_err_scheduler": "未知调度器“{value}”。可选：{allowed}。",
    "dif_err_schedule": "未知噪声调度“{value}”。可选：{allowed}。",
    "dif_err_image": "未知图像“{value}”。可选：{allowed}。",
    "dif_err_dataset": "未知数据集“{value}”。可选：{allowed}。",
    "dif_err_sketch_empty": "画板是空的：请先在画板上画一个形状，或选择其他数据集。",
    "dif_err_compare_count": "请选择 {low} 到 {high} 个调度器进行比较，而不是 {count} 个。",
    "dif_err_no_run": "还没有可显示的内容：请先点击“去噪”。",
    "dif_err_no_2d": "还没有可显示的内容：请先训练二维模型。",
    "dif_err_unstable": "{scheduler} 在第 {step} 步数值不稳定（样本不再是有效数字）。请增加步数或换一个调度器。",
}
