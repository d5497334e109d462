"""Small-object detection for robustkit.

Label convention (every component here shares it): ``y`` is a float tensor ``N x M x 5``, one
row per box ``(class, x1, y1, x2, y2)`` in image pixel coordinates (xyxy, x to the right, y
down, ``0 <= x1 < x2 <= W``), padded to the largest box count with rows whose class is ``-1``.
Sliced by sample like any label tensor. Models return raw dense head outputs; metrics decode
them with :func:`robustkit_detection.decode.decode` and :func:`robustkit_detection.boxes.nms`.
"""

PAD_CLASS = -1
