"""The sinusoid playground: adapt a meta-trained model to a few clicked points."""
