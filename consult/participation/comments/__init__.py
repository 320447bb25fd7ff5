"""comments"""
